package dev.portcullis.console.refusal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.outbox.AuditOutbox;
import dev.portcullis.runtime.outbox.OutboxConfig;
import dev.portcullis.runtime.outbox.RecordingShipper;
import dev.portcullis.runtime.testing.LogCapture;
import dev.portcullis.runtime.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A flood of refusals costs the console a bounded amount of disk and the audit log a bounded number of events. */
class SpooledRefusalsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final MutableClock clock = MutableClock.at(Instant.parse("2026-12-07T10:00:00Z"));
    @TempDir
    Path spool;

    @Test
    void aFloodFromOneAddressIsRecordedWithinItsBudgetAndTheNextRecordedOneCountsTheRest() throws InterruptedException {
        RecordingShipper shipper = RecordingShipper.working();
        try (SpooledRefusals refusals = new SpooledRefusals(outbox(shipper, OutboxConfig.MIN_SPOOL_BYTES * 16), clock, 5)) {
            for (int i = 0; i < 1000; i++) {
                refusals.record(refusal("192.0.2.1:" + (40000 + i % 20000)));
            }
            clock.advance(Duration.ofSeconds(1));

            refusals.record(refusal("192.0.2.1:40000"));

            List<AuditEvent> delivered = shipper.awaitShipped(6, WAIT);
            assertEquals(6, delivered.size());
            assertFalse(delivered.get(4).attributes().containsKey("suppressed"));
            assertEquals("995", delivered.get(5).attributes().get("suppressed"));
        }
    }

    @Test
    void anotherAddressKeepsItsOwnBudgetDuringAFlood() throws InterruptedException {
        RecordingShipper shipper = RecordingShipper.working();
        try (SpooledRefusals refusals = new SpooledRefusals(outbox(shipper, OutboxConfig.MIN_SPOOL_BYTES * 16), clock, 5)) {
            for (int i = 0; i < 1000; i++) {
                refusals.record(refusal("192.0.2.1:40000"));
            }

            refusals.record(refusal("198.51.100.9:50000"));

            List<AuditEvent> delivered = shipper.awaitShipped(6, WAIT);
            assertEquals(1, delivered.stream().filter(e -> e.sourceAddress().equals("198.51.100.9:50000")).count());
        }
    }

    @Test
    void aFloodFromManyAddressesIsBoundedByTheSpoolAndTheDroppedAreCountedAndLogged() throws InterruptedException {
        RecordingShipper shipper = RecordingShipper.alwaysFailing();
        AuditOutbox outbox = outbox(shipper, OutboxConfig.MIN_SPOOL_BYTES);
        long dropped;
        try (LogCapture logs = new LogCapture(SpooledRefusals.class)) {
            try (SpooledRefusals refusals = new SpooledRefusals(outbox, clock, 5)) {
                for (int i = 0; i < 1000; i++) {
                    refusals.record(refusal("10.0." + i / 250 + "." + i % 250 + ":443"));
                }

                dropped = refusals.dropped();
                assertTrue(dropped > 0, "nothing was dropped");
                assertEquals(1000, dropped + outbox.backlog());
            }

            assertFalse(logs.events("WARN", "console.audit_dropped", "total", Long.toString(dropped)).isEmpty());
        }
        assertEquals(List.of(), shipper.shipped());
    }

    private AuditOutbox outbox(RecordingShipper shipper, long maxSpoolBytes) {
        OutboxConfig config = new OutboxConfig(spool, maxSpoolBytes, 500, Duration.ofMillis(1), Duration.ofMillis(20),
                Duration.ofMillis(200), Duration.ofSeconds(1));
        return new AuditOutbox(config, shipper, clock);
    }

    private static Refusal refusal(String source) {
        return new Refusal("CSRF_MISSING", "POST", "/signout", source, "");
    }
}
