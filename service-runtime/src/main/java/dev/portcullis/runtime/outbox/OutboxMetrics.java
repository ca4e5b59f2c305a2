package dev.portcullis.runtime.outbox;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The outbox's counters since open: failed delivery attempts (published as a metric) and spool
 * syncs (for the throughput test). The gauges (backlog, oldest age) are read from {@link Backlog}.
 *
 * <p>Thread-safe without a lock: each counter is atomic on its own.
 */
final class OutboxMetrics {
    private final AtomicLong deliveryFailures = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();

    void deliveryFailed() {
        deliveryFailures.incrementAndGet();
    }

    void synced() {
        syncs.incrementAndGet();
    }

    /** Delivery attempts that failed (each is retried after a backoff). */
    long deliveryFailures() {
        return deliveryFailures.get();
    }

    /** Times the spool was synced to disk. */
    long syncs() {
        return syncs.get();
    }
}
