package dev.portcullis.runtime.outbox;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What lets the shipping thread go on: how many frames are durable (so it never reads one still
 * being written), and whether it must stop, with the deadline of its last attempt. The writer
 * opens it, closing the outbox stops it, the shipping thread waits on it.
 *
 * <p>Thread-safe: every field is guarded by {@code lock}.
 */
final class ShippingGate {
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when frames became durable, or when shipping must stop. */
    private final Condition changed = lock.newCondition();

    // Guarded by lock.
    private long durableFrames; // since open, recovered ones included
    private boolean stopping;
    private long flushDeadlineNanos; // System.nanoTime() by which the last attempt ends; set when stopping

    /** @param durableFrames the frames already durable: those recovered from an earlier open */
    ShippingGate(long durableFrames) {
        this.durableFrames = durableFrames;
    }

    /** Lets the shipping thread read {@code frames} more. */
    void durable(int frames) {
        lock.lock();
        try {
            durableFrames += frames;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Tells the shipping thread to make one last attempt, ending within {@code flushTimeout} from now, and stop. */
    void stop(Duration flushTimeout) {
        lock.lock();
        try {
            stopping = true;
            flushDeadlineNanos = System.nanoTime() + flushTimeout.toNanos();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * How many frames to read next, at most {@code batchSize}, waiting until some beyond the
     * {@code readFrames} already read are durable; 0 when shipping must stop (nothing left to
     * read once stopping, the flush deadline passed, or the thread was interrupted).
     */
    int awaitUnread(long readFrames, int batchSize) {
        lock.lock();
        try {
            while (!stopping && durableFrames == readFrames) {
                changed.await();
            }
            if (durableFrames == readFrames || flushDeadlinePassedLocked()) {
                return 0;
            }
            return (int) Math.min(batchSize, durableFrames - readFrames);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            lock.unlock();
        }
    }

    /** Waits {@code delay}; false when interrupted. Cut short when shipping must stop, for one last attempt. */
    boolean awaitBackoff(Duration delay) {
        lock.lock();
        try {
            long remaining = delay.toNanos();
            while (!stopping && remaining > 0) {
                remaining = changed.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    boolean stopping() {
        lock.lock();
        try {
            return stopping;
        } finally {
            lock.unlock();
        }
    }

    boolean flushDeadlinePassed() {
        lock.lock();
        try {
            return flushDeadlinePassedLocked();
        } finally {
            lock.unlock();
        }
    }

    private boolean flushDeadlinePassedLocked() {
        return stopping && System.nanoTime() - flushDeadlineNanos >= 0;
    }
}
