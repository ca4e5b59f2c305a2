package dev.portcullis.runtime.outbox;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.telemetry.Telemetry;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Records a service's audit events through its outbox to the audit service; owns both. */
public final class OutboxAuditRecorder implements AuditRecorder, AutoCloseable {
    private final AuditOutbox outbox;
    private final ManagedChannel channel;

    public OutboxAuditRecorder(AuditOutbox outbox, ManagedChannel channel) {
        this.outbox = requireNonNull(outbox, "outbox is null");
        this.channel = requireNonNull(channel, "channel is null");
    }

    @Override
    public void record(AuditEvent event) {
        outbox.record(inCurrentSpan(event));
    }

    /** Records {@code events} with one sync of the outbox ({@link AuditOutbox#recordAll}). */
    @Override
    public void recordAll(List<AuditEvent> events) {
        outbox.recordAll(events.stream().map(OutboxAuditRecorder::inCurrentSpan).toList());
    }

    /** An event recorded inside its own trace names the span, so the audit service's span joins the trace. */
    private static AuditEvent inCurrentSpan(AuditEvent event) {
        Optional<String> span = event.traceId().isEmpty() || !Telemetry.currentTraceId().equals(Optional.of(event.traceId()))
                ? Optional.empty() : Telemetry.currentSpanId();
        return span.map(event::inSpan).orElse(event);
    }

    /**
     * Starts delivering the outbox's events to the audit service; until then they wait in the spool.
     *
     * @throws IllegalStateException when already started or closed
     */
    public void startShipping() {
        outbox.start();
    }

    @Override
    public boolean healthy() {
        return outbox.healthy();
    }

    /** Events recorded but not yet acknowledged by the audit service. */
    public long backlog() {
        return outbox.backlog();
    }

    /**
     * Publishes the outbox's state through {@code telemetry}: {@code portcullis.outbox.backlog}
     * (events not yet acknowledged), {@code portcullis.outbox.oldest_age} (seconds the oldest of
     * them has waited) and {@code portcullis.outbox.delivery_failures} (failed attempts).
     */
    public void reportTo(Telemetry telemetry) {
        telemetry.gauge("portcullis.outbox.backlog", "{event}", "audit events recorded but not yet acknowledged",
                () -> Map.of(Map.of(), outbox.backlog()));
        telemetry.gauge("portcullis.outbox.oldest_age", "s", "how long the oldest unacknowledged audit event has waited",
                () -> Map.of(Map.of(), outbox.oldestUnacknowledgedAge().toMillis() / 1000.0));
        telemetry.counted("portcullis.outbox.delivery_failures", "{attempt}",
                "audit deliveries that failed and will be retried", () -> Map.of(Map.of(), outbox.deliveryFailures()));
    }

    @Override
    public void close() throws InterruptedException {
        outbox.close();
        channel.shutdown();
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
            channel.shutdownNow();
        }
    }
}
