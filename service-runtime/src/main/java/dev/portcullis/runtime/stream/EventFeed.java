package dev.portcullis.runtime.stream;

import java.util.List;

/**
 * The messages one server stream sends, read in order from a domain's event log. A feed keeps
 * its own position. {@link EventStreamer} calls it from one thread at a time, each call
 * happening-after the previous one, so a feed needs no locking of its own.
 *
 * @param <T> the message type the stream sends
 */
public interface EventFeed<T> {
    /**
     * Up to {@code max} next messages, advancing past them; empty when there are none yet. May
     * block briefly (a store read), never to wait for new events.
     *
     * @throws RuntimeException ending the stream with the status the service's error mapper makes of it
     */
    List<T> next(int max);

    /**
     * Whether nothing will ever follow the messages read so far, so the stream completes. Asked
     * only after {@link #next} came back empty.
     */
    boolean finished();

    /**
     * Blocks until more messages may be there: woken by the domain's event notification, and
     * after a bounded interval at the latest (to see what other replicas wrote). Returning
     * without a new event is fine; the streamer asks {@link #next} again.
     *
     * @throws InterruptedException when the stream was cancelled while waiting
     */
    void awaitMore() throws InterruptedException;
}
