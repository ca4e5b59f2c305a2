package dev.portcullis.console.refusal;

import dev.portcullis.runtime.audit.AuditEvent;
import java.util.List;

/** The audit service, as the console's refusals reach it. */
public interface RefusalSink {
    /**
     * Appends {@code events} (1 to {@link #MAX_BATCH}), idempotently by event id. Blocks up to the
     * call's deadline.
     *
     * @throws RuntimeException when the audit service did not acknowledge them; they may be sent again
     */
    void append(List<AuditEvent> events);

    /** Most events of one append: the audit service's bound of one batch. */
    int MAX_BATCH = 500;
}
