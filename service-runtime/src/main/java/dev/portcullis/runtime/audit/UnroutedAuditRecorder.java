package dev.portcullis.runtime.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Used when a service has no audit service configured ({@code portcullis.audit-client.address}
 * unset): every event goes to the log at WARN, and the recorder reports itself unhealthy so
 * that work which must be audited is refused. Never a silent success.
 */
public final class UnroutedAuditRecorder implements AuditRecorder {
    private static final Logger log = LoggerFactory.getLogger(UnroutedAuditRecorder.class);

    @Override
    public void record(AuditEvent event) {
        log.atWarn()
                .addKeyValue("action", event.action().dottedName())
                .addKeyValue("actor", event.actor())
                .addKeyValue("outcome", event.outcome().name())
                .addKeyValue("reason", event.reason())
                .log("audit.unrouted");
    }

    @Override
    public boolean healthy() {
        return false;
    }
}
