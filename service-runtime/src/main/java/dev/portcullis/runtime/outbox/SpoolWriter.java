package dev.portcullis.runtime.outbox;

import static java.nio.file.StandardOpenOption.WRITE;
import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.framing.FramedLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends framed events to the spool's last segment, rolling to a new segment when it is full,
 * on a writer thread of its own. Concurrent {@link #append} calls share one fsync (group
 * commit): the writer writes everything queued since its last sync and syncs once. The thread
 * also keeps file I/O off the callers' threads, where an interrupt would close the shared file
 * channel. A write or sync that fails leaves the writer failed for good: the spool can no longer
 * be trusted to hold what it is given, so it is reopened instead.
 *
 * <p>Thread-safe. The queue and its sequence numbers, the failure and the closing flag are
 * guarded by {@code lock}; the open segment is the writer thread's alone.
 */
final class SpoolWriter {
    // the outbox's log lines keep the one logger name operators filter on
    private static final Logger log = LoggerFactory.getLogger(AuditOutbox.class);

    private final SpoolDirectory directory;
    private final SpoolSegments segments;
    private final long segmentBytes;
    private final IntConsumer durable;
    private final OutboxMetrics metrics;
    private final OutboxThread thread;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when frames are queued for the writer, or when closing. */
    private final Condition work = lock.newCondition();
    /** Signalled when queued frames became durable, or writing failed. */
    private final Condition durableChanged = lock.newCondition();

    // Guarded by lock.
    private final List<ByteBuffer> queued = new ArrayList<>(); // accepted, not yet taken by the writer thread
    private long queuedSeq; // sequence number of the last frame accepted
    private long durableSeq; // sequence number of the last frame synced
    private IOException failure; // null while the spool is writable
    private boolean closing;

    // Owned by the writer thread (set before it starts).
    private Segment activeSegment;
    private FileChannel active; // of activeSegment
    private long activeSize; // bytes of activeSegment, header included

    /**
     * Opens the last of {@code segments} for appending; writing starts with {@link #start()}.
     *
     * @param durable told, on the writer thread, how many frames became durable, before their
     *     {@code append} calls return
     */
    SpoolWriter(SpoolDirectory directory, SpoolSegments segments, long segmentBytes, IntConsumer durable,
            OutboxMetrics metrics) throws IOException {
        this.directory = requireNonNull(directory, "directory is null");
        this.segments = requireNonNull(segments, "segments is null");
        this.segmentBytes = segmentBytes;
        this.durable = requireNonNull(durable, "durable is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.activeSegment = segments.last();
        this.active = FileChannel.open(activeSegment.file(), WRITE);
        this.activeSize = activeSegment.end() - activeSegment.base();
        this.thread = new OutboxThread("audit-outbox-writer", this::writeLoop);
    }

    /** Starts the writer thread. Called once, by the outbox that built this writer. */
    void start() {
        thread.start();
    }

    /**
     * Throws unless frames are accepted: lets a caller learn that before it counts its frame.
     *
     * @throws IllegalStateException when closing
     * @throws UncheckedIOException when writing failed
     */
    void checkAccepting() {
        lock.lock();
        try {
            checkAcceptingLocked();
        } finally {
            lock.unlock();
        }
    }

    /** True when frames are accepted: not closing, and no write has failed. */
    boolean accepting() {
        lock.lock();
        try {
            return !closing && failure == null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends {@code frame} and returns once it is synced to disk. Blocks for one shared sync at
     * most, however many threads append at once; does not respond to interrupts.
     *
     * @throws IllegalStateException when closing; the frame was not accepted
     * @throws UncheckedIOException when the frame could not be written or synced
     */
    void append(ByteBuffer frame) {
        append(List.of(frame));
    }

    /**
     * Appends {@code frames} in order and returns once all of them are synced to disk: one shared
     * sync, as for one frame.
     *
     * @throws IllegalStateException when closing; no frame was accepted
     * @throws UncheckedIOException when the frames could not be written or synced
     */
    void append(List<ByteBuffer> frames) {
        lock.lock();
        try {
            checkAcceptingLocked();
            queued.addAll(frames);
            queuedSeq += frames.size();
            long seq = queuedSeq;
            work.signal();
            while (durableSeq < seq) {
                if (failure != null) {
                    throw new UncheckedIOException("the audit event could not be written to the spool", failure);
                }
                durableChanged.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses new frames, and returns once those already accepted are written and synced (or
     * writing failed) and the segment is closed. Idempotent.
     *
     * @return true when the calling thread was interrupted while it waited; its interrupt is the caller's to restore
     */
    boolean close() {
        lock.lock();
        try {
            closing = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        return thread.awaitExit(Duration.ofDays(1));
    }

    private void checkAcceptingLocked() {
        if (closing) {
            throw new IllegalStateException("the audit outbox is closed");
        }
        if (failure != null) {
            throw new UncheckedIOException("the audit spool is not writable", failure);
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                List<ByteBuffer> group;
                long groupSeq;
                lock.lock();
                try {
                    while (queued.isEmpty() && !closing) {
                        work.awaitUninterruptibly();
                    }
                    if (queued.isEmpty()) {
                        return; // closing, and everything accepted is durable
                    }
                    group = List.copyOf(queued);
                    queued.clear();
                    groupSeq = queuedSeq;
                } finally {
                    lock.unlock();
                }
                try {
                    write(group);
                } catch (IOException e) {
                    fail(e);
                    return;
                }
                // readers and the accounting learn of the frames before their writers return
                segments.publish(activeSegment, activeSegment.base() + activeSize);
                durable.accept(group.size());
                metrics.synced();
                lock.lock();
                try {
                    durableSeq = groupSeq;
                    durableChanged.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } finally {
            try {
                active.close();
            } catch (IOException e) {
                log.atWarn().addKeyValue("problem", e.getMessage()).log("outbox.spool_close_failed");
            }
        }
    }

    /** Writes and syncs {@code group}, rolling segments as they fill. Writer thread only. */
    private void write(List<ByteBuffer> group) throws IOException {
        for (ByteBuffer frame : group) {
            if (activeSize + frame.remaining() > segmentBytes && activeSize > SpoolFormat.SEGMENT_HEADER_BYTES) {
                roll();
            }
            int bytes = frame.remaining();
            FramedLog.writeFully(active, frame, activeSize);
            activeSize += bytes;
        }
        active.force(false);
    }

    /** Seals the active segment (synced) and continues in a new one. Writer thread only. */
    private void roll() throws IOException {
        active.force(false);
        Segment sealed = activeSegment;
        long sealedEnd = sealed.base() + activeSize;
        Segment next = directory.createSegment(sealedEnd);
        FileChannel nextChannel = FileChannel.open(next.file(), WRITE);
        FileChannel previous = active;
        activeSegment = next;
        active = nextChannel;
        activeSize = SpoolFormat.SEGMENT_HEADER_BYTES;
        segments.roll(sealed, sealedEnd, next);
        previous.close();
    }

    /** Tells every waiting caller, and every later one, that its frame was not recorded. */
    private void fail(IOException e) {
        lock.lock();
        try {
            failure = e;
            queued.clear();
            durableChanged.signalAll();
        } finally {
            lock.unlock();
        }
        log.atError().addKeyValue("spool_dir", directory.path()).addKeyValue("problem", e.toString())
                .log("outbox.spool_write_failed");
    }
}
