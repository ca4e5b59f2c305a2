package dev.portcullis.runtime.testing;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.outbox.jdbc.AuditOutboxTable;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps recorded audit events in memory so a test can look at them. Thread-safe. */
public final class RecordingAuditRecorder implements AuditRecorder {
    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
    private volatile boolean healthy = true;

    @Override
    public void record(AuditEvent event) {
        events.add(event);
    }

    @Override
    public boolean healthy() {
        return healthy;
    }

    /** Makes {@link #healthy()} answer {@code value}, as an outbox that fell behind would. */
    public void healthy(boolean value) {
        healthy = value;
    }

    public List<AuditEvent> events() {
        return List.copyOf(events);
    }

    /**
     * A real audit outbox table (the caller's database must hold {@code audit_outbox}) whose
     * committed events this recorder records as well, in commit order: what a store wrote in a
     * change's transaction shows here exactly when the change committed.
     */
    public AuditOutboxTable table(Clock clock) {
        AuditOutboxTable table = new AuditOutboxTable(clock);
        table.onCommitted(this::recordAll);
        return table;
    }
}
