package dev.portcullis.runtime.audit;

import java.util.List;

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

    /**
     * Records {@code events} durably, in order: the events of one change together, so a recorder
     * that syncs to disk syncs once for all of them. When it throws, any of the events may have
     * been recorded already; recording such an event again is harmless, as the audit service
     * stores an event id once.
     *
     * @throws RuntimeException when the events cannot be kept, as {@link #record}
     */
    default void recordAll(List<AuditEvent> events) {
        events.forEach(this::record);
    }

    /** True when events are being recorded and delivered normally; false means fail closed. */
    boolean healthy();
}
