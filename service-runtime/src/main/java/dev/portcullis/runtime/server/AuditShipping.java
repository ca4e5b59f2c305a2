package dev.portcullis.runtime.server;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.outbox.OutboxRecorder;
import io.micronaut.context.annotation.Requires;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;

/**
 * Starts shipping the audit outbox to the audit service once this service serves. Events
 * recorded before then wait in the outbox; the recorder stops shipping when the context closes.
 */
@Singleton
@Requires(beans = OutboxRecorder.class)
@Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, notEquals = "audit")
final class AuditShipping {
    private final OutboxRecorder recorder;

    AuditShipping(OutboxRecorder recorder) {
        this.recorder = requireNonNull(recorder, "recorder is null");
    }

    @EventListener
    void serviceStarted(ServiceStarted event) {
        recorder.startShipping();
    }
}
