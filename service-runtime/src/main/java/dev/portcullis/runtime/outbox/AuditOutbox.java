package dev.portcullis.runtime.outbox;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;
import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.framing.FramedLog;
import dev.portcullis.runtime.outbox.SpoolReader.Batch;
import dev.portcullis.runtime.outbox.SpoolReader.Window;
import dev.portcullis.runtime.retry.Backoff;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable, ordered audit delivery. {@link #record} appends the event to a spool file in
 * {@code spool-dir} and returns once it is on disk; a shipping thread sends what was recorded,
 * in recording order and in batches, to the audit service, and only what the service
 * acknowledged is ever removed. After a crash or a stop, everything not acknowledged is sent
 * again (the audit service stores an event id once). The spool has a size bound: when it is
 * reached, {@code record} refuses events and {@link #healthy()} turns false, so callers fail
 * closed instead of doing unaudited work. See {@link SpoolFormat} for the files.
 *
 * <p>Concurrent {@code record} calls share one fsync (group commit): a writer thread writes
 * everything queued since its last sync and syncs once. The writer thread also keeps file I/O
 * off the callers' threads, where an interrupt would close the shared file channel.
 *
 * <p>Thread-safe. One outbox per spool directory: the directory is locked while open.
 */
public final class AuditOutbox implements AuditRecorder, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditOutbox.class);
    /** Keeps a batch well below the audit service's smallest inbound message limit. */
    static final long MAX_BATCH_PAYLOAD_BYTES = 1024 * 1024;
    private static final long MIN_SEGMENT_BYTES = 16 * 1024;
    private static final long MAX_SEGMENT_BYTES = 16 * 1024 * 1024;
    private static final String LOCK_FILE = "spool.lock";
    /** How long close waits for a shipping thread it interrupted. */
    private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(2);

    private final OutboxConfig config;
    private final AuditShipper shipper;
    private final Clock clock;
    private final long segmentBytes;
    private final AckMarker marker;
    private final Backlog backlog;
    private final FileChannel lockChannel; // its FileLock keeps a second outbox out of the directory
    private final long readStart;
    private final Thread writer;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when frames are queued for the writer, or when closing. */
    private final Condition writerWork = lock.newCondition();
    /** Signalled when queued frames became durable, or writing failed. */
    private final Condition durableChanged = lock.newCondition();
    /** Signalled when durable frames await shipping, or when shipping must stop. */
    private final Condition shipperWork = lock.newCondition();

    // Guarded by lock.
    private final List<Segment> segments; // oldest first; the writer appends to the last
    private final List<ByteBuffer> queued = new ArrayList<>();
    private long queuedSeq;
    private long durableSeq;
    private long durableFrames;
    private long readFrames;
    private IOException writeFailure; // null while the spool is writable
    private boolean closing;
    private boolean stopShipping;
    private long flushDeadlineNanos;
    private Thread shippingThread; // null until start
    private long syncs;

    private final AtomicLong deliveryFailures = new AtomicLong();

    // Owned by the writer thread (set before it starts).
    private FileChannel active;
    private long activeSize;

    /**
     * Opens (creating if needed) and locks the spool in {@code config.spoolDir()}, recovers what
     * it holds and starts accepting events. Shipping starts with {@link #start()}.
     *
     * @throws UncheckedIOException when the spool directory cannot be created, read or locked
     * @throws IllegalStateException when another outbox holds the directory, or it holds a
     *     segment file that is not a spool segment
     */
    public AuditOutbox(OutboxConfig config, AuditShipper shipper, Clock clock) {
        this(config, shipper, clock, defaultSegmentBytes(requireNonNull(config, "config is null").maxSpoolBytes()));
    }

    AuditOutbox(OutboxConfig config, AuditShipper shipper, Clock clock, long segmentBytes) {
        this.config = requireNonNull(config, "config is null");
        this.shipper = requireNonNull(shipper, "shipper is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.segmentBytes = segmentBytes;
        Path directory = config.spoolDir();
        this.marker = new AckMarker(directory);
        this.lockChannel = lockDirectory(directory);
        try {
            long acked = marker.read().orElse(0);
            SpoolRecovery.Recovered recovered = SpoolRecovery.recover(directory, acked);
            this.segments = new ArrayList<>(recovered.segments());
            if (segments.isEmpty()) {
                segments.add(createSegment(directory, recovered.nextBase()));
                this.readStart = segments.get(0).firstFrame();
            } else {
                this.readStart = recovered.readStart();
            }
            Segment last = segments.get(segments.size() - 1);
            this.active = FileChannel.open(last.file(), WRITE);
            this.activeSize = last.end() - last.base();
            this.durableFrames = recovered.frames();
            this.backlog = new Backlog(config.maxSpoolBytes(), clock, recovered);
        } catch (IOException | RuntimeException e) {
            closeLock();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot open the audit spool in " + directory, io);
            }
            throw (RuntimeException) e;
        }
        this.writer = new Thread(this::writeLoop, "audit-outbox-writer");
        writer.setDaemon(true);
        writer.start();
        log.atInfo().addKeyValue("spool_dir", directory).addKeyValue("backlog", backlog.events()).log("outbox.opened");
    }

    /**
     * Appends {@code event} to the spool and returns once it is on disk (fsync). Blocks for one
     * shared sync at most, however many threads record at once.
     *
     * @throws OutboxFullException when the spool is at its size bound; the event was not recorded
     * @throws UncheckedIOException when the spool could not be written or synced; the outbox
     *     stays unhealthy until it is reopened
     * @throws IllegalStateException when the outbox is closed
     */
    @Override
    public void record(AuditEvent event) {
        requireNonNull(event, "event is null");
        ByteBuffer frame = SpoolFormat.SEGMENT.frame(AuditEvents.encode(event));
        int frameBytes = frame.remaining();
        lock.lock();
        try {
            if (closing) {
                throw new IllegalStateException("the audit outbox is closed");
            }
            if (writeFailure != null) {
                throw new UncheckedIOException("the audit spool is not writable", writeFailure);
            }
            backlog.reserve(frameBytes);
            queued.add(frame);
            long seq = ++queuedSeq;
            writerWork.signal();
            while (durableSeq < seq) {
                if (writeFailure != null) {
                    throw new UncheckedIOException("the audit event could not be written to the spool", writeFailure);
                }
                durableChanged.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * True when new events can be recorded: the outbox is open, the spool is writable and below
     * its size bound, and no event has been refused for space since delivery last made
     * progress. Does not block on I/O.
     */
    @Override
    public boolean healthy() {
        lock.lock();
        try {
            return !closing && writeFailure == null && backlog.hasRoom();
        } finally {
            lock.unlock();
        }
    }

    /** Events recorded but not yet acknowledged by the audit service. */
    public long backlog() {
        return backlog.events();
    }

    /**
     * How long the oldest event on disk has waited for the audit service's acknowledgement
     * (counted from when it became durable, or from this open for events recovered from an
     * earlier one); zero when nothing waits.
     */
    public Duration oldestUnacknowledgedAge() {
        return backlog.oldestAge();
    }

    /** Delivery attempts that failed since open (each is retried after a backoff). */
    public long deliveryFailures() {
        return deliveryFailures.get();
    }

    /**
     * Starts the shipping thread.
     *
     * @throws IllegalStateException when already started or closed
     */
    public void start() {
        lock.lock();
        try {
            if (closing) {
                throw new IllegalStateException("the audit outbox is closed");
            }
            if (shippingThread != null) {
                throw new IllegalStateException("the audit outbox is already started");
            }
            shippingThread = new Thread(this::shipLoop, "audit-outbox-shipper");
            shippingThread.setDaemon(true);
            shippingThread.start();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses new events, writes and syncs those already accepted, gives shipping one last
     * attempt bounded by {@code shutdown-flush-timeout}, and releases the spool. What was not
     * acknowledged stays in the spool for the next outbox on the directory. Idempotent.
     */
    @Override
    public void close() {
        Thread shipping;
        lock.lock();
        try {
            if (closing) {
                return;
            }
            closing = true;
            writerWork.signalAll();
            shipping = shippingThread;
        } finally {
            lock.unlock();
        }
        boolean interrupted = joinUninterruptibly(writer, Duration.ofDays(1));
        lock.lock();
        try {
            stopShipping = true;
            flushDeadlineNanos = System.nanoTime() + config.shutdownFlushTimeout().toNanos();
            shipperWork.signalAll();
        } finally {
            lock.unlock();
        }
        if (shipping != null) {
            interrupted |= joinUninterruptibly(shipping, config.shutdownFlushTimeout().plusMillis(100));
            if (shipping.isAlive()) {
                shipping.interrupt();
                interrupted |= joinUninterruptibly(shipping, INTERRUPT_GRACE);
                if (shipping.isAlive()) {
                    log.atWarn().addKeyValue("spool_dir", config.spoolDir()).log("outbox.shipper_not_stopped");
                }
            }
        }
        closeLock();
        log.atInfo().addKeyValue("spool_dir", config.spoolDir()).addKeyValue("backlog", backlog())
                .log("outbox.closed");
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many times the spool was synced to disk since open (for the throughput test). */
    long syncs() {
        lock.lock();
        try {
            return syncs;
        } finally {
            lock.unlock();
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
                        writerWork.awaitUninterruptibly();
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
                    for (ByteBuffer frame : group) {
                        if (activeSize + frame.remaining() > segmentBytes
                                && activeSize > SpoolFormat.SEGMENT_HEADER_BYTES) {
                            roll();
                        }
                        int bytes = frame.remaining();
                        FramedLog.writeFully(active, frame, activeSize);
                        activeSize += bytes;
                    }
                    active.force(false);
                } catch (IOException e) {
                    failWrites(e, group);
                    return;
                }
                lock.lock();
                try {
                    Segment current = segments.get(segments.size() - 1);
                    current.end(current.base() + activeSize);
                    durableSeq = groupSeq;
                    durableFrames += group.size();
                    backlog.durable(group.size());
                    syncs++;
                    durableChanged.signalAll();
                    shipperWork.signalAll();
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

    /** Seals the active segment (synced) and continues in a new one. Writer thread only. */
    private void roll() throws IOException {
        active.force(false);
        Segment sealed;
        lock.lock();
        try {
            sealed = segments.get(segments.size() - 1);
        } finally {
            lock.unlock();
        }
        long sealedEnd = sealed.base() + activeSize;
        Segment next = createSegment(config.spoolDir(), sealedEnd);
        FileChannel nextChannel = FileChannel.open(next.file(), WRITE);
        FileChannel previous = active;
        active = nextChannel;
        activeSize = SpoolFormat.SEGMENT_HEADER_BYTES;
        lock.lock();
        try {
            sealed.end(sealedEnd);
            segments.add(next);
        } finally {
            lock.unlock();
        }
        previous.close();
    }

    private void failWrites(IOException failure, List<ByteBuffer> group) {
        lock.lock();
        try {
            writeFailure = failure;
            // the callers of these frames are told they were not recorded
            for (ByteBuffer frame : group) {
                backlog.release(frame.limit());
            }
            for (ByteBuffer frame : queued) {
                backlog.release(frame.limit());
            }
            queued.clear();
            durableChanged.signalAll();
        } finally {
            lock.unlock();
        }
        log.atError().addKeyValue("spool_dir", config.spoolDir()).addKeyValue("problem", failure.toString())
                .log("outbox.spool_write_failed");
    }

    private void shipLoop() {
        Backoff backoff = Backoff.exponential(config.initialBackoff(), config.maxBackoff()).withJitter(new SplittableRandom());
        int failures = 0;
        Instant failingSince = clock.instant();
        Batch batch = null;
        try (SpoolReader reader = new SpoolReader(this::locate, readStart)) {
            while (true) {
                Exception failure = null;
                if (batch == null) {
                    int wanted = awaitUnread();
                    if (wanted == 0) {
                        return;
                    }
                    try {
                        Batch next = reader.read(wanted, MAX_BATCH_PAYLOAD_BYTES);
                        markRead(next);
                        batch = next;
                    } catch (IOException | RuntimeException e) {
                        failure = e;
                    }
                }
                if (failure == null) {
                    if (flushDeadlinePassed()) {
                        return;
                    }
                    try {
                        if (!batch.events().isEmpty()) {
                            shipper.ship(batch.events());
                        }
                        marker.write(batch.end());
                    } catch (Exception e) { // a shipper may fail in any way; each is retried
                        failure = e;
                    }
                }
                if (failure == null) {
                    acknowledge(batch);
                    batch = null;
                    if (failures > 0) {
                        log.atInfo().addKeyValue("failed_attempts", failures)
                                .addKeyValue("failing_for_ms", Duration.between(failingSince, clock.instant()).toMillis())
                                .log("outbox.delivery_resumed");
                        failures = 0;
                    }
                    continue;
                }
                deliveryFailures.incrementAndGet();
                if (shippingStopped() || Thread.currentThread().isInterrupted()) {
                    log.atWarn().addKeyValue("backlog", backlog()).addKeyValue("failure", failure.toString())
                            .log("outbox.final_delivery_failed");
                    return;
                }
                if (failures == 0) {
                    failingSince = clock.instant();
                }
                failures++;
                Duration delay = backoff.delay(failures);
                log.atWarn().addKeyValue("attempt", failures).addKeyValue("backoff_ms", delay.toMillis())
                        .addKeyValue("backlog", backlog()).addKeyValue("failure", failure.toString())
                        .log("outbox.delivery_failed");
                if (!awaitBackoff(delay)) {
                    return;
                }
            }
        } catch (IOException e) {
            log.atWarn().addKeyValue("problem", e.getMessage()).log("outbox.spool_close_failed");
        }
    }

    /** Frames to read next (0: stop), waiting until some are durable or shipping must stop. */
    private int awaitUnread() {
        lock.lock();
        try {
            while (!stopShipping && durableFrames == readFrames) {
                shipperWork.await();
            }
            if (durableFrames == readFrames || flushDeadlinePassedLocked()) {
                return 0;
            }
            return (int) Math.min(config.batchSize(), durableFrames - readFrames);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            lock.unlock();
        }
    }

    /** Waits {@code delay}; false when interrupted. Cut short when shipping must stop, for one last attempt. */
    private boolean awaitBackoff(Duration delay) {
        lock.lock();
        try {
            long remaining = delay.toNanos();
            while (!stopShipping && remaining > 0) {
                remaining = shipperWork.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void markRead(Batch batch) {
        if (batch.frames() == 0) {
            throw new IllegalStateException("the audit spool has fewer frames than were recorded");
        }
        lock.lock();
        try {
            readFrames += batch.frames();
        } finally {
            lock.unlock();
        }
    }

    private void acknowledge(Batch batch) {
        List<Segment> obsolete = new ArrayList<>();
        lock.lock();
        try {
            backlog.acknowledged(batch);
            while (segments.size() > 1 && segments.get(0).end() <= batch.end()) {
                obsolete.add(segments.remove(0));
            }
        } finally {
            lock.unlock();
        }
        for (Segment segment : obsolete) {
            try {
                Files.deleteIfExists(segment.file());
            } catch (IOException e) {
                // the marker already covers it: the next open deletes it
                log.atWarn().addKeyValue("segment", segment.file()).addKeyValue("problem", e.getMessage())
                        .log("outbox.segment_delete_failed");
            }
        }
    }

    /** The readable window of the segment that holds spool position {@code position} or the next frame after it. */
    private Window locate(long position) {
        lock.lock();
        try {
            int index = 0;
            for (int i = 0; i < segments.size() && segments.get(i).base() <= position; i++) {
                index = i;
            }
            Segment segment = segments.get(index);
            long at = Math.max(position, segment.firstFrame());
            if (at >= segment.end() && index + 1 < segments.size()) {
                segment = segments.get(index + 1);
                at = segment.firstFrame();
            }
            return new Window(segment.file(), segment.base(), at, segment.end());
        } finally {
            lock.unlock();
        }
    }

    private boolean shippingStopped() {
        lock.lock();
        try {
            return stopShipping;
        } finally {
            lock.unlock();
        }
    }

    private boolean flushDeadlinePassed() {
        lock.lock();
        try {
            return flushDeadlinePassedLocked();
        } finally {
            lock.unlock();
        }
    }

    private boolean flushDeadlinePassedLocked() {
        return stopShipping && System.nanoTime() - flushDeadlineNanos >= 0;
    }

    private void closeLock() {
        try {
            lockChannel.close();
        } catch (IOException e) {
            log.atWarn().addKeyValue("problem", e.getMessage()).log("outbox.unlock_failed");
        }
    }

    private static FileChannel lockDirectory(Path directory) {
        FileChannel channel;
        try {
            if (!Files.isDirectory(directory)) {
                if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                    Files.createDirectories(directory,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(directory);
                }
            }
            channel = FileChannel.open(directory.resolve(LOCK_FILE), CREATE, WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit spool directory " + directory, e);
        }
        FileLock held;
        try {
            held = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            held = null;
        } catch (IOException e) {
            closeQuietly(channel, e);
            throw new UncheckedIOException("cannot lock the audit spool directory " + directory, e);
        }
        if (held == null) {
            closeQuietly(channel, null);
            throw new IllegalStateException("the audit spool directory " + directory + " is in use by another outbox");
        }
        return channel;
    }

    private static void closeQuietly(FileChannel channel, IOException primary) {
        try {
            channel.close();
        } catch (IOException e) {
            if (primary != null) {
                primary.addSuppressed(e);
            }
        }
    }

    private static Segment createSegment(Path directory, long base) throws IOException {
        Path file = directory.resolve(SpoolFormat.segmentFileName(base));
        try (FileChannel channel = FileChannel.open(file, CREATE_NEW, WRITE)) {
            FramedLog.writeFully(channel, SpoolFormat.SEGMENT.header(), 0);
            channel.force(true);
        }
        AckMarker.syncDirectory(directory);
        return new Segment(base, file, base + SpoolFormat.SEGMENT_HEADER_BYTES);
    }

    /** An eighth of the bound, so acknowledged bytes waiting for their segment to be deleted stay small. */
    static long defaultSegmentBytes(long maxSpoolBytes) {
        return Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, maxSpoolBytes / 8));
    }

    /** Joins {@code thread} for at most {@code timeout}; true when this thread was interrupted meanwhile. */
    private static boolean joinUninterruptibly(Thread thread, Duration timeout) {
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
