package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.v1.AuditEvent;
import java.time.Instant;
import java.util.Optional;

/** A hostile case as tried: its window, how its answer differed from the expected one, and the audit event it owes. */
record TriedCase(String name, Instant start, Instant end, Optional<String> mismatch, ExpectedAudit audit) {
    TriedCase {
        requireNonNull(name, "name is null");
        requireNonNull(start, "start is null");
        requireNonNull(end, "end is null");
        requireNonNull(mismatch, "mismatch is null");
        requireNonNull(audit, "audit is null");
    }

    boolean auditedBy(AuditEvent event) {
        Instant at = Instant.ofEpochSecond(event.getTime().getSeconds(), event.getTime().getNanos());
        // the service stamps the event while it handles the call, so inside the case's window
        // (a millisecond of slack for stores that keep milliseconds)
        return event.getAction() == audit.action() && !at.isBefore(start.minusMillis(1)) && !at.isAfter(end.plusMillis(1))
                && audit.matches().test(event);
    }
}
