package dev.portcullis.console.web;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A complete answer to a browser: status, headers of its own (the security headers every answer
 * carries are added by the server) and body, either bytes in hand or written as it is sent.
 */
public record WebResponse(int status, Map<String, String> headers, Body body) {

    public WebResponse {
        headers = Map.copyOf(headers);
        requireNonNull(body, "body is null");
    }

    /** An answer whose body is {@code bytes}. */
    public WebResponse(int status, Map<String, String> headers, byte[] bytes) {
        this(status, headers, new Body.Bytes(bytes));
    }

    /** What an answer carries. */
    public sealed interface Body permits Body.Bytes, Body.Streamed {
        /** A body in hand; its length is sent. */
        record Bytes(byte[] bytes) implements Body {
            public Bytes {
                requireNonNull(bytes, "bytes is null");
            }
        }

        /**
         * A body written while it is sent (chunked), for answers too large to hold: a download.
         * The status and headers are sent before it runs, so it cannot change them; a failure
         * while writing ends the connection, and the browser reports the download as failed.
         */
        record Streamed(Writer writer) implements Body {
            public Streamed {
                requireNonNull(writer, "writer is null");
            }
        }

        /** Writes a streamed body. */
        @FunctionalInterface
        interface Writer {
            void writeTo(OutputStream out) throws IOException;
        }
    }

    /** An HTML page. */
    public static WebResponse html(int status, String page) {
        return new WebResponse(status, Map.of("Content-Type", "text/html; charset=utf-8"), page.getBytes(StandardCharsets.UTF_8));
    }

    /** A download written while it is sent. */
    public static WebResponse streamed(int status, Map<String, String> headers, Body.Writer writer) {
        return new WebResponse(status, headers, new Body.Streamed(writer));
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
