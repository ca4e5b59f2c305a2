package dev.portcullis.console.refusal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.retry.Backoff;
import dev.portcullis.runtime.testing.LogCapture;
import dev.portcullis.runtime.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A flood of refusals costs the console a bounded amount of memory and the audit log a bounded number of events. */
class QueuedRefusalsTest {
    private final MutableClock clock = MutableClock.at(Instant.parse("2026-12-07T10:00:00Z"));
    private final List<AuditEvent> delivered = new CopyOnWriteArrayList<>();

    @Test
    void aFloodFromOneAddressIsRecordedWithinItsBudgetAndTheNextRecordedOneCountsTheRest() {
        try (QueuedRefusals refusals = new QueuedRefusals(delivered::addAll, clock, fastBackoff(), 100, 5)) {
            for (int i = 0; i < 1000; i++) {
                refusals.record(refusal("192.0.2.1:" + (40000 + i % 20000)));
            }
            clock.advance(Duration.ofSeconds(1));

            refusals.record(refusal("192.0.2.1:40000"));

            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delivered.size() >= 6);
            assertEquals(6, delivered.size());
            assertFalse(delivered.get(4).attributes().containsKey("suppressed"));
            assertEquals("995", delivered.get(5).attributes().get("suppressed"));
        }
    }

    @Test
    void anotherAddressKeepsItsOwnBudgetDuringAFlood() {
        try (QueuedRefusals refusals = new QueuedRefusals(delivered::addAll, clock, fastBackoff(), 100, 5)) {
            for (int i = 0; i < 1000; i++) {
                refusals.record(refusal("192.0.2.1:40000"));
            }

            refusals.record(refusal("198.51.100.9:50000"));

            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delivered.size() >= 6);
            assertEquals(1, delivered.stream().filter(e -> e.sourceAddress().equals("198.51.100.9:50000")).count());
        }
    }

    @Test
    void aFloodFromManyAddressesIsBoundedByTheQueueAndTheDroppedAreCountedAndLogged() throws InterruptedException {
        CountDownLatch sending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RefusalSink held = events -> {
            sending.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            delivered.addAll(events);
        };
        try (LogCapture logs = new LogCapture(QueuedRefusals.class);
                QueuedRefusals refusals = new QueuedRefusals(held, clock, fastBackoff(), 10, 5)) {
            refusals.record(refusal("203.0.113.1:1"));
            sending.await(30, TimeUnit.SECONDS);
            for (int i = 0; i < 100; i++) {
                refusals.record(refusal("10.0." + i / 250 + "." + i % 250 + ":443"));
            }

            release.countDown();

            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> !logs.events("WARN", "console.audit_dropped", "count", "90").isEmpty());
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> delivered.size() >= 11);
            assertEquals(11, delivered.size());
        }
    }

    private static Refusal refusal(String source) {
        return new Refusal("CSRF_MISSING", "POST", "/signout", source, "");
    }

    private static Backoff fastBackoff() {
        return Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(100));
    }
}
