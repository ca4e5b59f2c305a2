package dev.portcullis.gateway.run;

import java.time.Duration;

/**
 * Wakes watchers and the driver when a run changed on this replica. Changes made by other
 * replicas are found by polling. Thread-safe.
 */
public final class RunSignals {
    // guarded by this
    private long version;

    /** The number of changes signalled so far. */
    public synchronized long version() {
        return version;
    }

    /** Signals a change. */
    public synchronized void changed() {
        version++;
        notifyAll();
    }

    /** Waits until a change after {@code seen} was signalled or {@code max} passed. */
    public synchronized void await(long seen, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (version == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
