package dev.portcullis.console.web;

import static java.util.Objects.requireNonNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One page or action: a method, a path pattern (its groups are the path's parameters) and what
 * answers it. Every {@code POST} route is a state change and is reached only with the session's
 * CSRF token (the console's HTTP server checks it).
 */
public record Route(String method, Pattern path, Handler handler) {

    public Route {
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        requireNonNull(handler, "handler is null");
    }

    /** Answers a request whose path matched; {@code path}'s groups hold the parameters. */
    @FunctionalInterface
    public interface Handler {
        WebResponse handle(WebRequest request, Matcher path);
    }

    /** A route answering {@code method} on paths matching {@code regex} entirely. */
    public static Route of(String method, String regex, Handler handler) {
        return new Route(method, Pattern.compile(regex), handler);
    }
}
