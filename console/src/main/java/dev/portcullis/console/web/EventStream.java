package dev.portcullis.console.web;

import static java.util.Objects.requireNonNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server-sent events route ({@code text/event-stream}): its handler writes events until it is
 * done or the browser goes away, on a thread of its own.
 */
public record EventStream(Pattern path, Handler handler) {

    public EventStream {
        requireNonNull(path, "path is null");
        requireNonNull(handler, "handler is null");
    }

    /** Writes the events of one request; returns when the stream is over. */
    @FunctionalInterface
    public interface Handler {
        void stream(WebRequest request, Matcher path, Sink events);
    }

    /** Where a handler writes events. */
    public interface Sink {
        /**
         * Sends one event: {@code id} (empty for none), {@code name}, and {@code data} (any text;
         * each line becomes a {@code data:} line). Returns false once the browser is gone.
         */
        boolean send(String id, String name, String data);
    }

    /** A stream answering {@code GET} on paths matching {@code regex} entirely. */
    public static EventStream of(String regex, Handler handler) {
        return new EventStream(Pattern.compile(regex), handler);
    }
}
