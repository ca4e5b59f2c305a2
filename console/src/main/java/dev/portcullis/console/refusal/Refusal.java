package dev.portcullis.console.refusal;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A request the console refused itself, as the audit log records it: never a token, code, cookie or
 * CSRF value, only what was attempted and why.
 *
 * @param reason stable UPPER_SNAKE code, e.g. {@code CSRF_MISSING} or a sign-in refusal's reason
 * @param method the HTTP method
 * @param path the request's path, without its query (the callback's query holds the code)
 * @param sourceAddress the connection's peer, "ip:port"; empty when unknown
 * @param sessionSubject the {@code sub} of the person whose session cookie came with the request, as the
 *     session holds it; empty when none did. Not the actor: a forged cross-site form rides the victim's
 *     cookie, and the console does not know the gateway's mapping of {@code sub} to a SPIFFE ID
 */
public record Refusal(String reason, String method, String path, String sourceAddress, String sessionSubject) {
    private static final Pattern REASON = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
    private static final int MAX_PATH = 256;

    public Refusal {
        if (!REASON.matcher(requireNonNull(reason, "reason is null")).matches()) {
            throw new IllegalArgumentException("reason must be UPPER_SNAKE, at most 64 characters");
        }
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        requireNonNull(sourceAddress, "sourceAddress is null");
        requireNonNull(sessionSubject, "sessionSubject is null");
        sessionSubject = sessionSubject.length() > 1024 ? sessionSubject.substring(0, 1024) : sessionSubject;
        method = method.length() > 16 ? method.substring(0, 16) : method;
        path = path.length() > MAX_PATH ? path.substring(0, MAX_PATH) : path;
        sourceAddress = sourceAddress.length() > 128 ? sourceAddress.substring(0, 128) : sourceAddress;
    }

    /** The address without its port: one browser opens many connections, each from another port. */
    String host() {
        int colon = sourceAddress.lastIndexOf(':');
        return colon <= 0 ? sourceAddress : sourceAddress.substring(0, colon);
    }
}
