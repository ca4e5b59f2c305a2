package dev.portcullis.console.web;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A complete answer to a browser: status, headers of its own (the security headers every answer
 * carries are added by the server) and body.
 */
public record WebResponse(int status, Map<String, String> headers, byte[] body) {

    public WebResponse {
        headers = Map.copyOf(headers);
        requireNonNull(body, "body is null");
    }

    /** An HTML page. */
    public static WebResponse html(int status, String page) {
        return new WebResponse(status, Map.of("Content-Type", "text/html; charset=utf-8"), page.getBytes(StandardCharsets.UTF_8));
    }

    /** A 303 to a path of this console (never an absolute URL taken from a request). */
    public static WebResponse seeOther(String location) {
        return new WebResponse(303, Map.of("Location", location), new byte[0]);
    }

    /** A 302 to an absolute URL the console built itself (the identity provider's authorization endpoint). */
    public static WebResponse redirect(String url) {
        return new WebResponse(302, Map.of("Location", url), new byte[0]);
    }

    /** This answer with one more header. */
    public WebResponse with(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new WebResponse(status, more, body);
    }
}
