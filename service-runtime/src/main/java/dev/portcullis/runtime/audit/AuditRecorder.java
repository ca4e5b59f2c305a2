package dev.portcullis.runtime.audit;

/**
 * Port: where a service records its audit events. Implementations are thread-safe; a recorded
 * event is never lost (the outbox spools it to disk before returning).
 */
public interface AuditRecorder {

    /**
     * Records {@code event} durably.
     *
     * @throws RuntimeException when the event cannot be kept (e.g. the spool is full); callers
     *     that must fail closed treat this as a refusal
     */
    void record(AuditEvent event);

    /** True when events are being recorded and delivered normally; false means fail closed. */
    boolean healthy();
}
