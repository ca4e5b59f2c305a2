package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The ordered events of one task with dense offsets from 0, so a watcher resumes from the
 * offset after the last event it saw and misses nothing and sees nothing twice. Every event is
 * written to the task's {@link TaskJournal}; only the newest {@code memoryLimit} stay in memory,
 * older ones are read back from the journal. Thread-safe.
 */
final class TaskLog {
    /** Every this many events, the journal position of one is kept, so any offset is found by a short scan. */
    static final int INDEX_EVERY = 64;

    private final TaskJournal journal;
    private final int memoryLimit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    // guarded by lock
    private long size;
    private TaskEvent[] ring = new TaskEvent[16]; // the newest events: offset o at o % ring.length
    private int inMemory;
    private long[] index = new long[16]; // journal position of event i * INDEX_EVERY
    private boolean closed;

    TaskLog(TaskJournal journal, int memoryLimit) {
        this.journal = requireNonNull(journal, "journal is null");
        if (memoryLimit < 1) {
            throw new IllegalArgumentException("memoryLimit must be at least 1");
        }
        this.memoryLimit = memoryLimit;
    }

    interface EventFactory {
        TaskEvent at(long offset);
    }

    /**
     * Appends the event {@code factory} makes at the next offset; with {@code force} it is on disk
     * before this returns (state changes), otherwise it reaches the disk with the next forced one.
     */
    TaskEvent append(EventFactory factory, boolean force) {
        lock.lock();
        try {
            TaskEvent event = factory.at(size);
            long position = journal.append(event, force);
            restored(event, position);
            return event;
        } finally {
            lock.unlock();
        }
    }

    /** Takes an event replayed from the journal at {@code position}, as if it had been appended. */
    void restored(TaskEvent event, long position) {
        lock.lock();
        try {
            if (event.offset() != size) {
                throw new IllegalStateException("events must come in offset order");
            }
            if (size % INDEX_EVERY == 0) {
                int slot = (int) (size / INDEX_EVERY);
                if (slot == index.length) {
                    index = Arrays.copyOf(index, index.length * 2);
                }
                index[slot] = position;
            }
            keep(event);
            size++;
            appended.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void keep(TaskEvent event) {
        if (inMemory == ring.length && ring.length < memoryLimit) {
            TaskEvent[] grown = new TaskEvent[Math.min(ring.length * 2, memoryLimit)];
            for (long offset = size - inMemory; offset < size; offset++) {
                grown[(int) (offset % grown.length)] = ring[(int) (offset % ring.length)];
            }
            ring = grown;
        }
        ring[(int) (event.offset() % ring.length)] = event;
        inMemory = Math.min(inMemory + 1, ring.length);
    }

    /** Journals that the task's end is on the audit record (see {@link TaskJournal#markEndAudited}). */
    void endAudited() {
        lock.lock();
        try {
            journal.markEndAudited();
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

    /** Events from {@code offset}, at most {@code max}; older ones come from the journal. */
    List<TaskEvent> read(long from, int max) {
        long offset = Math.max(from, 0);
        long position;
        int fromJournal;
        lock.lock();
        try {
            long firstInMemory = size - inMemory;
            if (offset >= firstInMemory) {
                List<TaskEvent> events = new ArrayList<>();
                for (long at = offset; at < size && events.size() < max; at++) {
                    events.add(ring[(int) (at % ring.length)]);
                }
                return events;
            }
            position = index[(int) (offset / INDEX_EVERY)];
            fromJournal = (int) Math.min(max, firstInMemory - offset);
        } finally {
            lock.unlock();
        }
        // the journal's prefix never changes, so it is read without holding up writers
        return journal.read(position, offset, fromJournal);
    }

    long size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** Events held in memory (at most the limit). */
    int inMemory() {
        lock.lock();
        try {
            return inMemory;
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
            while (size <= offset && !closed && nanos > 0) {
                nanos = appended.awaitNanos(nanos);
            }
            return size > offset;
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

    /** Closes the journal file; the log answers no more reads. */
    void release() {
        journal.close();
    }
}
