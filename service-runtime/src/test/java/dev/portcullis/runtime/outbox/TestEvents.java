package dev.portcullis.runtime.outbox;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditResource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** Audit events for outbox tests: each carries its number, so order and loss are easy to see. */
public final class TestEvents {
    private static final Instant TIME = Instant.parse("2026-11-24T09:00:00Z");

    private TestEvents() {}

    public static AuditEvent numbered(String writer, int number) {
        return AuditEvent.builder("gateway", AuditAction.RUN_SUBMITTED, TIME.plusMillis(number))
                .actor("spiffe://example.org/ci/github/acme/infra-live")
                .resource(new AuditResource("run", "r-" + number, "infra-live", "r-" + number))
                .traceId("0af7651916cd43dd8448eb211c80319c")
                .sourceAddress("127.0.0.1:50000")
                .attributes(Map.of("writer", writer, "number", Integer.toString(number)))
                .build();
    }

    public static List<AuditEvent> numbered(int count) {
        return IntStream.range(0, count).mapToObj(n -> numbered("main", n)).toList();
    }
}
