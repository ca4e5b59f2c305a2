package dev.portcullis.runtime.outbox;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.audit.AuditRecorder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * <p>Concurrent {@code record} calls share one fsync (group commit, {@link SpoolWriter}). The
 * work has one home per concern: {@link SpoolDirectory} (the locked directory),
 * {@link SpoolSegments} (which segments exist and how far they are readable), {@link SpoolWriter}
 * (appending and rolling), {@link Backlog} (what is unacknowledged, the size bound),
 * {@link ShippingLoop} and {@link ShippingGate} (delivery) and {@link OutboxMetrics}.
 *
 * <p>Lifecycle: the constructor opens the spool and accepts events; {@link #start()} starts
 * shipping; {@link #close()} ends both. Both are idempotent; a closed outbox does not start again.
 *
 * <p>Thread-safe. One outbox per spool directory: the directory is locked while open.
 */
public final class AuditOutbox implements AuditRecorder, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditOutbox.class);
    private static final long MIN_SEGMENT_BYTES = 16 * 1024;
    private static final long MAX_SEGMENT_BYTES = 16 * 1024 * 1024;

    private enum State { OPEN, SHIPPING, CLOSED }

    private final SpoolDirectory directory;
    private final Backlog backlog;
    private final SpoolWriter writer;
    private final ShippingLoop shipping;
    private final OutboxMetrics metrics = new OutboxMetrics();

    // Guarded by this: only start and close move it, and only forwards (OPEN, SHIPPING, CLOSED).
    private State state = State.OPEN;

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
        requireNonNull(config, "config is null");
        requireNonNull(shipper, "shipper is null");
        requireNonNull(clock, "clock is null");
        Path path = config.requiredSpoolDir();
        AckMarker marker = new AckMarker(path);
        this.directory = SpoolDirectory.lock(path);
        try {
            SpoolRecovery.Recovered recovered = SpoolRecovery.recover(path, marker.read().orElse(0));
            List<Segment> kept = recovered.segments();
            long readStart = recovered.readStart();
            if (kept.isEmpty()) {
                kept = List.of(directory.createSegment(recovered.nextBase()));
                readStart = kept.get(0).firstFrame();
            }
            SpoolSegments segments = new SpoolSegments(kept);
            this.backlog = new Backlog(config.maxSpoolBytes(), clock, recovered);
            ShippingGate gate = new ShippingGate(recovered.frames());
            Backlog accounting = backlog;
            this.writer = new SpoolWriter(directory, segments, segmentBytes, frames -> {
                // counted before the shipper may read them, so an acknowledgement always finds them
                accounting.durable(frames);
                gate.durable(frames);
            }, metrics);
            this.shipping = new ShippingLoop(config, shipper, clock, marker, segments, backlog, gate, metrics, readStart);
        } catch (IOException | RuntimeException e) {
            directory.close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot open the audit spool in " + path, io);
            }
            throw (RuntimeException) e;
        }
        writer.start();
        log.atInfo().addKeyValue("spool_dir", path).addKeyValue("backlog", backlog.events()).log("outbox.opened");
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
        writer.checkAccepting(); // a closed or broken spool says so before a full one does
        backlog.reserve(frameBytes);
        try {
            writer.append(frame);
        } catch (RuntimeException notRecorded) {
            backlog.release(frameBytes);
            throw notRecorded;
        }
    }

    /**
     * Appends {@code events} to the spool in order and returns once all of them are on disk: one
     * shared sync for all, as for one event. Either every event is accepted or none is (the size
     * bound is checked for all together).
     *
     * @throws OutboxFullException when the spool would pass its size bound; no event was recorded
     * @throws UncheckedIOException when the spool could not be written or synced; the outbox
     *     stays unhealthy until it is reopened
     * @throws IllegalStateException when the outbox is closed
     */
    @Override
    public void recordAll(List<AuditEvent> events) {
        List<ByteBuffer> frames = new ArrayList<>(events.size());
        int frameBytes = 0;
        for (AuditEvent event : events) {
            ByteBuffer frame = SpoolFormat.SEGMENT.frame(AuditEvents.encode(requireNonNull(event, "event is null")));
            frameBytes += frame.remaining();
            frames.add(frame);
        }
        if (frames.isEmpty()) {
            return;
        }
        writer.checkAccepting();
        backlog.reserve(frameBytes, frames.size());
        try {
            writer.append(frames);
        } catch (RuntimeException notRecorded) {
            backlog.release(frameBytes, frames.size());
            throw notRecorded;
        }
    }

    /**
     * True when new events can be recorded: the outbox is open, the spool is writable and below
     * its size bound, and no event has been refused for space since delivery last made
     * progress. Does not block on I/O.
     */
    @Override
    public boolean healthy() {
        return writer.accepting() && backlog.hasRoom();
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
        return metrics.deliveryFailures();
    }

    /**
     * Starts the shipping thread. Idempotent: a second call changes nothing, so a bean factory
     * and a test harness may both call it.
     *
     * @throws IllegalStateException when the outbox is closed
     */
    public synchronized void start() {
        switch (state) {
            case OPEN -> {
                shipping.start();
                state = State.SHIPPING;
            }
            case SHIPPING -> { } // already shipping
            case CLOSED -> throw new IllegalStateException("the audit outbox is closed");
        }
    }

    /**
     * Refuses new events, writes and syncs those already accepted, gives shipping one last
     * attempt bounded by {@code shutdown-flush-timeout}, and releases the spool. What was not
     * acknowledged stays in the spool for the next outbox on the directory. Idempotent; a second
     * call, even while the first is still flushing, returns at once.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
        }
        // the writer first: shipping's last attempt then sees every accepted event durable
        boolean interrupted = writer.close();
        interrupted |= shipping.stop();
        directory.close();
        log.atInfo().addKeyValue("spool_dir", directory.path()).addKeyValue("backlog", backlog.events())
                .log("outbox.closed");
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many times the spool was synced to disk since open (for the throughput test). */
    long syncs() {
        return metrics.syncs();
    }

    /** An eighth of the bound, so acknowledged bytes waiting for their segment to be deleted stay small. */
    static long defaultSegmentBytes(long maxSpoolBytes) {
        return Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, maxSpoolBytes / 8));
    }
}
