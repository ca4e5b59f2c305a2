package dev.portcullis.runtime.outbox;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One of an outbox's background threads (the spool's writer and shipper, the database outbox's
 * relay): a daemon, so a forgotten
 * outbox never keeps the JVM alive, started at most once, and waited for without giving up the
 * waiting thread's interrupt. Thread-safe: the thread itself is the only state.
 */
public final class OutboxThread {
    private final Thread thread;

    /** A daemon thread {@code name} that runs {@code body}; not started. */
    public OutboxThread(String name, Runnable body) {
        this.thread = new Thread(requireNonNull(body, "body is null"), requireNonNull(name, "name is null"));
        thread.setDaemon(true);
    }

    /** Starts the thread; the caller makes sure it is called once. */
    public void start() {
        thread.start();
    }

    /** Whether the thread runs (false before start and after it ended). */
    public boolean isAlive() {
        return thread.isAlive();
    }

    /** Interrupts the thread: a call it blocks in ends, and it is expected to return. */
    public void interrupt() {
        thread.interrupt();
    }

    /**
     * Waits at most {@code timeout} for the thread to end (at once when it never started).
     *
     * @return true when the waiting thread was interrupted meanwhile; its interrupt is the caller's to restore
     */
    public boolean awaitExit(Duration timeout) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (thread.isAlive()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                break;
            }
            try {
                TimeUnit.NANOSECONDS.timedJoin(thread, remaining);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }
}
