package dev.portcullis.audit.ingest;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditRecorder;
import java.util.List;

/** The audit service records its own events (e.g. refused callers) straight into the chain. */
public final class LocalAuditRecorder implements AuditRecorder {
    private final AuditIngest ingest;

    public LocalAuditRecorder(AuditIngest ingest) {
        this.ingest = requireNonNull(ingest, "ingest is null");
    }

    @Override
    public void record(AuditEvent event) {
        ingest.append(List.of(event));
    }

    @Override
    public boolean healthy() {
        return true;
    }
}
