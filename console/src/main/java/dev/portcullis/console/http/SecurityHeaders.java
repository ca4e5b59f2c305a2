package dev.portcullis.console.http;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.function.BiConsumer;

/**
 * The headers every answer carries, whoever wrote it (a page, Micronaut's own error answers, the
 * connection guard's 400 and 413), so no page can forget them.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Requires(property = ConsoleHttpServer.SERVING_PROPERTY, value = "true")
final class SecurityHeaders {

    @ResponseFilter
    void onEveryAnswer(MutableHttpResponse<?> response) {
        apply(response.getHeaders()::set);
    }

    /** Sets the security headers through {@code set}. */
    static void apply(BiConsumer<String, String> set) {
        set.accept("Content-Security-Policy", ConsoleHttpServer.CONTENT_SECURITY_POLICY);
        set.accept("X-Content-Type-Options", "nosniff");
        // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the console's own form posts
        set.accept("Referrer-Policy", "same-origin");
        set.accept("X-Frame-Options", "DENY");
        set.accept("Cross-Origin-Opener-Policy", "same-origin");
        set.accept("Cache-Control", "no-store");
        set.accept("Strict-Transport-Security", "max-age=31536000");
    }
}
