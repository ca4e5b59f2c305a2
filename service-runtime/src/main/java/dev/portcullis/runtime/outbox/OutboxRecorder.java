package dev.portcullis.runtime.outbox;

import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.time.Duration;
import java.util.Map;

/**
 * An audit recorder whose events wait in an outbox until the audit service acknowledged them: a
 * disk spool ({@link OutboxAuditRecorder}) or a table of the service's own database
 * ({@link dev.portcullis.runtime.outbox.jdbc.JdbcAuditOutbox}). Implementations are thread-safe.
 */
public interface OutboxRecorder extends AuditRecorder {
    /**
     * Starts delivering the outbox's events to the audit service; until then they wait. Idempotent.
     *
     * @throws IllegalStateException when the outbox is closed
     */
    void startShipping();

    /** Events recorded but not yet acknowledged by the audit service. */
    long backlog();

    /** How long the oldest unacknowledged event has waited; zero when none waits. */
    Duration oldestUnacknowledgedAge();

    /** Delivery attempts that failed since open (each is retried after a backoff). */
    long deliveryFailures();

    /**
     * Publishes the outbox's state through {@code telemetry}: {@code portcullis.outbox.backlog}
     * (events not yet acknowledged), {@code portcullis.outbox.oldest_age} (seconds the oldest of
     * them has waited) and {@code portcullis.outbox.delivery_failures} (failed attempts).
     */
    default void reportTo(Telemetry telemetry) {
        telemetry.gauge("portcullis.outbox.backlog", "{event}", "audit events recorded but not yet acknowledged",
                () -> Map.of(Map.of(), backlog()));
        telemetry.gauge("portcullis.outbox.oldest_age", "s", "how long the oldest unacknowledged audit event has waited",
                () -> Map.of(Map.of(), oldestUnacknowledgedAge().toMillis() / 1000.0));
        telemetry.counted("portcullis.outbox.delivery_failures", "{attempt}",
                "audit deliveries that failed and will be retried", () -> Map.of(Map.of(), deliveryFailures()));
    }
}
