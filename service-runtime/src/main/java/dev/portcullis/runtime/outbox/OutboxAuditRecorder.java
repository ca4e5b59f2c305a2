package dev.portcullis.runtime.outbox;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.telemetry.Telemetry;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Records a service's audit events through its outbox to the audit service; owns both. */
public final class OutboxAuditRecorder implements OutboxRecorder, AutoCloseable {
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

    /**
     * {@code event}, naming the current span when it is recorded inside its own trace, so the audit
     * service's span joins the trace; every outbox records events through it.
     */
    public static AuditEvent inCurrentSpan(AuditEvent event) {
        Optional<String> span = event.traceId().isEmpty() || !Telemetry.currentTraceId().equals(Optional.of(event.traceId()))
                ? Optional.empty() : Telemetry.currentSpanId();
        return span.map(event::inSpan).orElse(event);
    }

    /** Starts delivering the spool's events to the audit service; until then they wait in the spool. */
    @Override
    public void startShipping() {
        outbox.start();
    }

    @Override
    public boolean healthy() {
        return outbox.healthy();
    }

    @Override
    public long backlog() {
        return outbox.backlog();
    }

    @Override
    public Duration oldestUnacknowledgedAge() {
        return outbox.oldestUnacknowledgedAge();
    }

    @Override
    public long deliveryFailures() {
        return outbox.deliveryFailures();
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
