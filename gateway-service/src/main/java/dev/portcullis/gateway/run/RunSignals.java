package dev.portcullis.gateway.run;

import java.time.Duration;

/**
 * Wakes watchers and the driver when a run changed on this replica. Changes made by other
 * replicas are found by polling. Watchers are woken by every change; the driver only by those
 * it acts on ({@link #changed}), not by the lines a running run's log gains ({@link #logged}):
 * a round of the driver (expiry, the scan for unattended runs) per copied batch of lines was
 * work on the path of every run's log for nothing. Thread-safe.
 */
public final class RunSignals {
    // guarded by this: every change signalled, and those the driver acts on
    private long version;
    private long driverVersion;

    /** The number of changes signalled so far. */
    public synchronized long version() {
        return version;
    }

    /** The number of changes the driver acts on signalled so far. */
    synchronized long driverVersion() {
        return driverVersion;
    }

    /** Signals a change that watchers and the driver act on (a run queued, started, ended, approved, …). */
    public synchronized void changed() {
        version++;
        driverVersion++;
        notifyAll();
    }

    /** Signals that a running run's log grew, and nothing else: only watchers act on it. */
    synchronized void logged() {
        version++;
        notifyAll();
    }

    /** Waits until a change after {@code seen} ({@link #version}) was signalled or {@code max} passed. */
    public synchronized void await(long seen, Duration max) throws InterruptedException {
        awaitPast(seen, max, false);
    }

    /**
     * Waits until a change the driver acts on after {@code seen} ({@link #driverVersion}) was
     * signalled or {@code max} passed.
     */
    synchronized void awaitDriverWork(long seen, Duration max) throws InterruptedException {
        awaitPast(seen, max, true);
    }

    private void awaitPast(long seen, Duration max, boolean driver) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while ((driver ? driverVersion : version) == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
