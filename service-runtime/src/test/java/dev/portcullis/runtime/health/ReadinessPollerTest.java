package dev.portcullis.runtime.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.testing.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Rounds are triggered by hand ({@code checkNow}); only the scheduling test starts the poller. */
class ReadinessPollerTest {
    private static final HealthConfig CONFIG = new HealthConfig(Duration.ofSeconds(2), Duration.ofMillis(200));

    /** Each service name is unique, so a test reads only its own log lines. */
    private final String service = "svc-" + UUID.randomUUID();
    private final RecordingSwitch serving = new RecordingSwitch();

    @Test
    void serviceIsServingWhenEveryCheckIsReady() {
        ReadinessPoller poller = poller(ReadinessCheck.of("a", () -> Readiness.READY), ReadinessCheck.of("b", () -> Readiness.READY));

        Map<String, Readiness> results = poller.checkNow();

        assertEquals(Map.of("a", Readiness.READY, "b", Readiness.READY), results);
        assertEquals(List.of(true), serving.published());
    }

    @Test
    void serviceIsNotServingWhileOneCheckIsNotReady() {
        ReadinessPoller poller = poller(ReadinessCheck.of("a", () -> Readiness.READY),
                ReadinessCheck.of("b", () -> Readiness.notReady("b is down")));

        Map<String, Readiness> results = poller.checkNow();

        assertEquals(Readiness.notReady("b is down"), results.get("b"));
        assertEquals(List.of(false), serving.published());
    }

    @Test
    void aCheckThatThrowsIsNotReadyAndItsMessageIsNotRepeated() {
        ReadinessPoller poller = poller(ReadinessCheck.of("db", () -> {
            throw new IllegalStateException("jdbc:postgresql://db/x?password=hunter2");
        }));

        Readiness result = poller.checkNow().get("db");

        assertFalse(result.ready());
        assertEquals("the check failed: IllegalStateException", result.problem());
        assertEquals(List.of(false), serving.published());
    }

    @Test
    void aCheckThatHangsPastTheTimeoutIsNotReadyAndIsNotCalledAgainWhileItHangs() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        ReadinessPoller poller = poller(ReadinessCheck.of("slow", () -> {
            calls.incrementAndGet();
            awaitQuietly(release);
            return Readiness.READY;
        }));

        Readiness first = poller.checkNow().get("slow");
        Readiness second = poller.checkNow().get("slow");

        assertEquals(Readiness.notReady("no answer within 200ms"), first);
        assertEquals(Readiness.notReady("no answer within 200ms"), second);
        assertEquals(1, calls.get());
        assertEquals(List.of(false, false), serving.published());
        release.countDown();
        assertEquals(Readiness.READY, poller.checkNow().get("slow"), "the late answer counts in the next round");
        assertEquals(1, calls.get());
        poller.close();
    }

    @Test
    void aFailureIsLoggedOnceWithTheCheckAndItsProblemAndTheRecoveryOnce() {
        AtomicReference<Readiness> database = new AtomicReference<>(Readiness.READY);
        ReadinessPoller poller = poller(ReadinessCheck.of("database", database::get));

        try (LogCapture logs = new LogCapture(ReadinessPoller.class)) {
            poller.checkNow();
            database.set(Readiness.notReady("the database is unreachable (SQL state 08001)"));
            poller.checkNow();
            poller.checkNow();
            database.set(Readiness.notReady("no answer within 200ms"));
            poller.checkNow();
            database.set(Readiness.READY);
            poller.checkNow();
            poller.checkNow();

            var failed = logs.events("WARN", "health.check_failed", "service", service);
            assertEquals(1, failed.size());
            assertEquals(Map.of("service", service, "check", "database",
                    "problem", "the database is unreachable (SQL state 08001)"), fields(failed.get(0)));
            assertEquals(1, logs.events("INFO", "health.check_recovered", "service", service).size());
        }
        assertEquals(List.of(true, false, false, false, true, true), serving.published());
    }

    @Test
    void startedPollerChecksOnItsOwnAndPublishes() throws InterruptedException {
        CountDownLatch looked = new CountDownLatch(1);
        ReadinessPoller poller = poller(ReadinessCheck.of("catalog", () -> {
            looked.countDown();
            return Readiness.notReady("no catalog");
        }));

        poller.start();

        try {
            assertTrue(looked.await(10, TimeUnit.SECONDS));
            assertEquals(Boolean.FALSE, serving.next());
        } finally {
            poller.close();
        }
    }

    @Test
    void withoutChecksTheServiceIsServing() {
        ReadinessPoller poller = poller();

        poller.checkNow();

        assertEquals(List.of(true), serving.published());
    }

    @Test
    void twoChecksMayNotShareAName() {
        ReadinessCheck one = ReadinessCheck.of("database", () -> Readiness.READY);

        assertThrowsIllegalArgument(() -> new ReadinessPoller(service, List.of(one, one), CONFIG, serving));
    }

    @Test
    void aNotReadyResultMustNameItsProblem() {
        assertThrowsIllegalArgument(() -> Readiness.notReady(""));
        assertEquals(Readiness.MAX_PROBLEM, Readiness.notReady("x".repeat(1000)).problem().length());
    }

    private ReadinessPoller poller(ReadinessCheck... checks) {
        return new ReadinessPoller(service, List.of(checks), CONFIG, serving);
    }

    private static Map<String, String> fields(ch.qos.logback.classic.spi.ILoggingEvent event) {
        Map<String, String> fields = new java.util.HashMap<>();
        event.getKeyValuePairs().forEach(kv -> fields.put(kv.key, String.valueOf(kv.value)));
        return fields;
    }

    private static void assertThrowsIllegalArgument(org.junit.jupiter.api.function.Executable executable) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, executable);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records every published status; {@link #next} waits for the next one. */
    private static final class RecordingSwitch implements ServingSwitch {
        private final List<Boolean> published = new ArrayList<>(); // guarded by itself
        private final LinkedBlockingQueue<Boolean> queue = new LinkedBlockingQueue<>();

        @Override
        public void setServing(boolean serving) {
            synchronized (published) {
                published.add(serving);
            }
            queue.add(serving);
        }

        List<Boolean> published() {
            synchronized (published) {
                return List.copyOf(published);
            }
        }

        Boolean next() throws InterruptedException {
            return queue.poll(10, TimeUnit.SECONDS);
        }
    }
}
