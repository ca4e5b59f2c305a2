package dev.portcullis.audit.alert.delivery;

import dev.portcullis.audit.alert.StoredAlert;
/**
 * Port: somewhere alerts are sent for people to see (a chat webhook, a pager). Implementations
 * are thread-safe; {@link AlertDispatcher} calls them from its own threads and retries.
 */
public interface AlertSink {
    /** A short stable name for logs and dead letters, e.g. {@code webhook-1}; never a URL or a secret. */
    String name();

    /**
     * Delivers {@code alert} once, blocking until the receiver accepted it or the attempt failed
     * within the sink's own timeout.
     *
     * @throws Exception when the receiver did not accept it; the message must be safe to log and
     *     store (no tokens, URL paths or response bodies)
     */
    void deliver(StoredAlert alert) throws Exception;
}
