package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.RunId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ordered events of one task this replica follows, with dense offsets from 0, so a watcher
 * resumes from the offset after the last event it saw and misses nothing and sees nothing twice.
 * Every event is stored in the {@link TaskStore} before anyone sees it, and watchers on this
 * replica are woken in-process, never by polling; only the newest {@code memoryLimit} events stay
 * in memory, older ones are read back from the store. When the store says another replica follows
 * the task now, the log is {@linkplain #lost() lost}: it takes no more events. An event that
 * always comes right before another (a task starting, the line that names the command about to
 * start) can be {@linkplain #defer deferred}: it is stored in the next append's transaction,
 * one commit for both, and nobody sees it before. Thread-safe.
 */
final class TaskLog {
    private static final Logger log = LoggerFactory.getLogger(TaskLog.class);

    private final TaskStore store;
    private final RunId runId;
    private final String holder;
    private final int memoryLimit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    // guarded by lock
    private long size;
    private TaskEvent[] ring = new TaskEvent[16]; // the newest events: offset o at o % ring.length
    private int inMemory;
    private boolean closed;
    private boolean lost;
    private final List<TaskEvent> deferred = new ArrayList<>(); // at offsets size, size + 1, …: stored with the next append

    /** @param size the events stored already (0 for none): the next one gets this offset */
    TaskLog(TaskStore store, RunId runId, String holder, int memoryLimit, long size) {
        this.store = requireNonNull(store, "store is null");
        this.runId = requireNonNull(runId, "runId is null");
        this.holder = requireNonNull(holder, "holder is null");
        if (memoryLimit < 1) {
            throw new IllegalArgumentException("memoryLimit must be at least 1");
        }
        this.memoryLimit = memoryLimit;
        this.size = size;
    }

    interface EventFactory {
        TaskEvent at(long offset);
    }

    /**
     * Stores the event {@code factory} makes at the next offset, then wakes the watchers. After
     * the log is lost, nothing is stored and this returns null.
     */
    TaskEvent append(EventFactory factory) {
        return append(factory, List.of());
    }

    /**
     * As {@link #append(EventFactory)}, with the audit events recording it in the same transaction
     * ({@link TaskStore#keepsAudit}); the events {@linkplain #defer deferred} before it are stored in
     * that transaction too, ahead of it.
     */
    TaskEvent append(EventFactory factory, List<dev.portcullis.runtime.audit.AuditEvent> audit) {
        lock.lock();
        try {
            if (lost) {
                return null;
            }
            TaskEvent event = factory.at(size + deferred.size());
            List<TaskEvent> events = new ArrayList<>(deferred);
            events.add(event);
            store(events, audit);
            return lost ? null : event;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes the event {@code factory} makes at the next offset, and stores it with the next
     * {@link #append} (or {@link #flush}), in its transaction: until then no watcher sees it and
     * the store does not have it. For an event that is followed at once by another one, by the
     * same thread. After the log is lost, nothing is kept.
     */
    void defer(EventFactory factory) {
        lock.lock();
        try {
            if (!lost) {
                deferred.add(factory.at(size + deferred.size()));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stores the deferred events, if any, now. */
    void flush() {
        lock.lock();
        try {
            if (!lost && !deferred.isEmpty()) {
                store(new ArrayList<>(deferred), List.of());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stores {@code events} (the deferred ones first) in one transaction, then wakes the watchers;
     * the log is lost when the store says another replica follows the task.
     */
    private void store(List<TaskEvent> events, List<dev.portcullis.runtime.audit.AuditEvent> audit) {
        // nothing stays deferred whatever happens: stored now, or never (the offsets are free again)
        deferred.clear();
        try {
            store.append(runId, events, holder, audit);
        } catch (TaskStore.LeaseLostException e) {
            log.atWarn().addKeyValue("run_id", runId.value()).log("task.lease_lost");
            lose();
            return;
        }
        events.forEach(this::taken);
    }

    /** Takes an event stored already (the task's first), as if it had been appended. */
    void taken(TaskEvent event) {
        lock.lock();
        try {
            if (event.offset() != size) {
                throw new IllegalStateException("events must come in offset order");
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

    /** Another replica follows the task now: no more events are taken, and waiting watchers are woken to read the store. */
    void lose() {
        lock.lock();
        try {
            lost = true;
            deferred.clear();
            appended.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean lost() {
        lock.lock();
        try {
            return lost;
        } finally {
            lock.unlock();
        }
    }

    /** Events from {@code offset}, at most {@code max}; older ones come from the store. */
    List<TaskEvent> read(long from, int max) {
        long offset = Math.max(from, 0);
        int fromStore;
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
            fromStore = (int) Math.min(max, firstInMemory - offset);
        } finally {
            lock.unlock();
        }
        // stored events never change, so they are read without holding up writers
        List<TaskEvent> events = new ArrayList<>(store.events(runId, offset, fromStore));
        if (events.size() == fromStore && fromStore < max) {
            events.addAll(read(offset + fromStore, max - fromStore)); // and on from memory
        }
        return events;
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
     * Waits until an event at {@code offset} exists, the log closes or is lost, or {@code timeout} passes.
     *
     * @return true when an event at {@code offset} exists
     */
    boolean await(long offset, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (size <= offset && !closed && !lost && nanos > 0) {
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
}
