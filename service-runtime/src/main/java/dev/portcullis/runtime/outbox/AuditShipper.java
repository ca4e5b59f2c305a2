package dev.portcullis.runtime.outbox;

import dev.portcullis.runtime.audit.AuditEvent;
import java.util.List;

/**
 * Sends a batch of audit events to the audit service. The outbox calls it from its one
 * shipping thread, with 1 to {@code batch-size} events in recording order, and resends the same
 * batch after a failure; the audit service stores an event id once, so a resend is harmless.
 */
public interface AuditShipper {
    /**
     * Sends {@code batch}; blocks until the audit service answered or a deadline passed.
     *
     * @throws Exception when the service did not acknowledge the whole batch; the message is
     *     logged, so it must not carry event contents or secrets
     */
    void ship(List<AuditEvent> batch) throws Exception;
}
