package dev.portcullis.executor.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The ordered events of one task with dense offsets from 0, so a watcher resumes from the
 * offset after the last event it saw and misses nothing and sees nothing twice. Thread-safe.
 */
final class TaskLog {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    // guarded by lock
    private final List<TaskEvent> events = new ArrayList<>();
    private boolean closed;

    interface EventFactory {
        TaskEvent at(long offset);
    }

    TaskEvent append(EventFactory factory) {
        lock.lock();
        try {
            TaskEvent event = factory.at(events.size());
            events.add(event);
            appended.signalAll();
            return event;
        } finally {
            lock.unlock();
        }
    }

    /** No more events will come (the task ended). */
    void close() {
        lock.lock();
        try {
            closed = true;
            appended.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Events from {@code offset}, at most {@code max}. */
    List<TaskEvent> read(long offset, int max) {
        lock.lock();
        try {
            int from = (int) Math.min(offset, events.size());
            return List.copyOf(events.subList(from, Math.min(events.size(), from + max)));
        } finally {
            lock.unlock();
        }
    }

    long size() {
        lock.lock();
        try {
            return events.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until an event at {@code offset} exists, the log closes, or {@code timeout} passes.
     *
     * @return true when an event at {@code offset} exists
     */
    boolean await(long offset, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (events.size() <= offset && !closed && nanos > 0) {
                nanos = appended.awaitNanos(nanos);
            }
            return events.size() > offset;
        } finally {
            lock.unlock();
        }
    }

    boolean closed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

}
