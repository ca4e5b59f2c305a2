package dev.portcullis.runtime.outbox;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.outbox.SpoolReader.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipping thread: reads durable frames in spool order in batches, ships them through the
 * {@link AuditShipper}, and once the audit service acknowledged a batch, moves the
 * {@link AckMarker} past it (durably), then forgets it in the {@link Backlog} and deletes the
 * segments it emptied. A failure is retried, with the same batch, after a backoff ({@link FailureStreak}); the
 * marker is written only after the service acknowledged, so a batch is never lost and is sent
 * again after a restart only when the restart came between the acknowledgement and the marker.
 *
 * <p>Thread-safe: everything it changes while running is its thread's alone (the reader, the
 * count of frames read, the batch in flight, the failure streak); it shares only thread-safe
 * objects.
 */
final class ShippingLoop {
    // the outbox's log lines keep the one logger name operators filter on
    private static final Logger log = LoggerFactory.getLogger(AuditOutbox.class);
    /** Keeps a batch well below the audit service's smallest inbound message limit. */
    static final long MAX_BATCH_PAYLOAD_BYTES = 1024 * 1024;
    /** How long {@link #stop} waits for a shipping thread it interrupted. */
    private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(2);

    private final OutboxConfig config;
    private final AuditShipper shipper;
    private final Clock clock;
    private final AckMarker marker;
    private final SpoolSegments segments;
    private final Backlog backlog;
    private final ShippingGate gate;
    private final OutboxMetrics metrics;
    private final long readStart;
    private final OutboxThread thread;

    /**
     * @param readStart spool position of the first frame to ship
     */
    ShippingLoop(OutboxConfig config, AuditShipper shipper, Clock clock, AckMarker marker, SpoolSegments segments,
            Backlog backlog, ShippingGate gate, OutboxMetrics metrics, long readStart) {
        this.config = requireNonNull(config, "config is null");
        this.shipper = requireNonNull(shipper, "shipper is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.marker = requireNonNull(marker, "marker is null");
        this.segments = requireNonNull(segments, "segments is null");
        this.backlog = requireNonNull(backlog, "backlog is null");
        this.gate = requireNonNull(gate, "gate is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.readStart = readStart;
        this.thread = new OutboxThread("audit-outbox-shipper", this::run);
    }

    /** Starts the shipping thread. Called at most once, by the outbox that built this loop. */
    void start() {
        thread.start();
    }

    /**
     * Gives shipping one last attempt bounded by {@code shutdown-flush-timeout}, then interrupts
     * it, and returns once the thread ended or did not answer its interrupt either (logged). At
     * once when it never started.
     *
     * @return true when the calling thread was interrupted while it waited; its interrupt is the caller's to restore
     */
    boolean stop() {
        gate.stop(config.shutdownFlushTimeout());
        boolean interrupted = thread.awaitExit(config.shutdownFlushTimeout().plusMillis(100));
        if (thread.isAlive()) {
            thread.interrupt();
            interrupted |= thread.awaitExit(INTERRUPT_GRACE);
            if (thread.isAlive()) {
                log.atWarn().addKeyValue("spool_dir", config.spoolDir()).log("outbox.shipper_not_stopped");
            }
        }
        return interrupted;
    }

    private void run() {
        FailureStreak streak = new FailureStreak(log, config, clock);
        long readFrames = 0;
        Batch batch = null; // read, not yet acknowledged: shipped again until it is
        try (SpoolReader reader = new SpoolReader(segments::locate, readStart)) {
            while (true) {
                Exception failure = null;
                if (batch == null) {
                    int wanted = gate.awaitUnread(readFrames, config.batchSize());
                    if (wanted == 0) {
                        return;
                    }
                    try {
                        Batch next = reader.read(wanted, MAX_BATCH_PAYLOAD_BYTES);
                        if (next.frames() == 0) {
                            throw new IllegalStateException("the audit spool has fewer frames than were recorded");
                        }
                        readFrames += next.frames();
                        batch = next;
                    } catch (IOException | RuntimeException e) {
                        failure = e;
                    }
                }
                if (failure == null) {
                    if (gate.flushDeadlinePassed()) {
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
                    acknowledged(batch);
                    batch = null;
                    streak.succeeded();
                    continue;
                }
                metrics.deliveryFailed();
                if (gate.stopping() || Thread.currentThread().isInterrupted()) {
                    log.atWarn().addKeyValue("backlog", backlog.events()).addKeyValue("failure", failure.toString())
                            .log("outbox.final_delivery_failed");
                    return;
                }
                if (!gate.awaitBackoff(streak.failed(failure, backlog.events()))) {
                    return;
                }
            }
        } catch (IOException e) {
            log.atWarn().addKeyValue("problem", e.getMessage()).log("outbox.spool_close_failed");
        }
    }

    /** Forgets {@code batch}, which the marker already covers, and deletes the segments it emptied. */
    private void acknowledged(Batch batch) {
        backlog.acknowledged(batch);
        for (Segment segment : segments.removeAcknowledged(batch.end())) {
            try {
                Files.deleteIfExists(segment.file());
            } catch (IOException e) {
                // the marker already covers it: the next open deletes it
                log.atWarn().addKeyValue("segment", segment.file()).addKeyValue("problem", e.getMessage())
                        .log("outbox.segment_delete_failed");
            }
        }
    }
}
