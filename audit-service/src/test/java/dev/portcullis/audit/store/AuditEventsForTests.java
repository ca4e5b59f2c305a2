package dev.portcullis.audit.store;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import java.time.Instant;
import java.util.Map;

/** Events for store and chain tests. */
public final class AuditEventsForTests {
    private AuditEventsForTests() {}

    public static AuditEvent event(int n) {
        return AuditEvent.builder(n % 2 == 0 ? "gateway" : "policy",
                        n % 3 == 0 ? AuditAction.POLICY_DENIED : AuditAction.RUN_SUBMITTED,
                        Instant.parse("2026-11-24T09:00:00Z").plusSeconds(n))
                .eventId(java.util.UUID.nameUUIDFromBytes(("event-" + n).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .actor("spiffe://example.org/ci/app-" + (n % 4))
                .resource(new AuditResource("run", "run-" + n, n % 2 == 0 ? "infra-live" : "payments-db", "run-" + (n % 5)))
                .outcome(n % 3 == 0 ? AuditOutcome.DENIED : AuditOutcome.SUCCESS)
                .reason(n % 3 == 0 ? "REF_NOT_ALLOWED" : "")
                .traceId(String.format("%032x", n % 7))
                .sourceAddress("10.0.0." + (n % 9) + ":4000")
                .attributes(Map.of("environment", n % 2 == 0 ? "prod" : "stage", "note", "quote \" and \\ and \n"))
                .build();
    }
}
