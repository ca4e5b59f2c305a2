package dev.portcullis.audit.alert.delivery;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.alert.Alert;
import dev.portcullis.audit.alert.Alert.Severity;
import dev.portcullis.audit.alert.AlertStore;
import dev.portcullis.audit.alert.DeadLetter;
import dev.portcullis.audit.alert.JdbcAlertStore;
import dev.portcullis.audit.alert.StoredAlert;
import dev.portcullis.audit.alert.TestDatabase;
import dev.portcullis.audit.alert.WebhookReceiver;
import dev.portcullis.runtime.retry.Backoff;
import dev.portcullis.runtime.testing.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertDispatcherTest {
    private static final Duration POLL = Duration.ofMillis(5);
    static final Instant START = Instant.parse("2024-03-04T10:00:00Z");

    final MutableClock clock = MutableClock.at(START);
    final TestDatabase database = TestDatabase.freshH2();
    final AlertStore store = new JdbcAlertStore(database.dataSource(), clock);

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    static AlertDeliveryConfig delivery(int maxAttempts, Duration initialBackoff) {
        return new AlertDeliveryConfig(List.of(), Duration.ofSeconds(5), maxAttempts, initialBackoff,
                initialBackoff.multipliedBy(4));
    }

    StoredAlert storedAlert() {
        return store.append(new Alert("breakglass", Severity.HIGH, "Break-glass access used by spiffe://example.org/human/alice",
                List.of(UUID.randomUUID()), Map.of("actor", "spiffe://example.org/human/alice"), START));
    }

    static WebhookAlertSink sink(String name, WebhookReceiver receiver) {
        return new WebhookAlertSink(name, receiver.url(), Duration.ofSeconds(5));
    }

    @Test
    void anAlertArrivesAtEverySink() throws Exception {
        try (WebhookReceiver first = WebhookReceiver.accepting(); WebhookReceiver second = WebhookReceiver.accepting();
                AlertDispatcher dispatcher = new AlertDispatcher(List.of(sink("webhook-1", first), sink("webhook-2", second)),
                        store, delivery(3, Duration.ofMillis(10)), clock)) {
            StoredAlert alert = storedAlert();

            dispatcher.dispatch(alert);

            assertTrue(first.awaitAccepted(Duration.ofSeconds(10)).contains("\"text\":\"Portcullis alert 1 [HIGH] breakglass: "));
            assertTrue(second.awaitAccepted(Duration.ofSeconds(10)).contains("\"text\":"));
        }
    }

    @Test
    void aFailedDeliveryIsRetriedUntilTheReceiverAcceptsIt() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.failingFirst(2);
                AlertDispatcher dispatcher = new AlertDispatcher(List.of(sink("webhook-1", receiver)), store,
                        delivery(5, Duration.ofMillis(10)), clock)) {

            dispatcher.dispatch(storedAlert());

            String body = receiver.awaitAccepted(Duration.ofSeconds(10));
            assertTrue(body.startsWith("{\"text\":"), body);
            assertEquals(List.of(500, 500, 200), receiver.requests().stream().map(WebhookReceiver.Request::status).toList());
            assertEquals(List.of(), store.deadLetters());
        }
    }

    @Test
    void aReceiverThatKeepsFailingGetsADeadLetterAfterMaxAttempts() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.alwaysFailing();
                AlertDispatcher dispatcher = new AlertDispatcher(List.of(sink("webhook-1", receiver)), store,
                        delivery(3, Duration.ofMillis(10)), clock)) {
            StoredAlert alert = storedAlert();

            dispatcher.dispatch(alert);

            await("a dead letter").atMost(Duration.ofSeconds(10)).pollInterval(POLL).until(() -> !store.deadLetters().isEmpty());
            DeadLetter letter = store.deadLetters().get(0);
            assertEquals(alert.sequence(), letter.alertSequence());
            assertEquals("webhook-1", letter.sink());
            assertEquals(3, letter.attempts());
            assertEquals("http://127.0.0.1:" + receiver.url().getPort() + " answered HTTP 500", letter.lastError());
            assertEquals(3, receiver.requests().size());
            assertTrue(receiver.requests().stream().allMatch(r -> r.body().startsWith("{\"text\":")));
        }
    }

    @Test
    void oneFailingSinkNeitherHoldsUpNorRepeatsDeliveryToAnother() throws Exception {
        try (WebhookReceiver failing = WebhookReceiver.alwaysFailing(); WebhookReceiver working = WebhookReceiver.accepting();
                AlertDispatcher dispatcher = new AlertDispatcher(List.of(sink("webhook-1", failing), sink("webhook-2", working)),
                        store, delivery(3, Duration.ofMillis(20)), clock)) {

            dispatcher.dispatch(storedAlert());

            working.awaitAccepted(Duration.ofSeconds(10));
            await("a dead letter").atMost(Duration.ofSeconds(10)).pollInterval(POLL).until(() -> !store.deadLetters().isEmpty());
            assertEquals(1, working.requests().size());
            assertEquals(List.of("webhook-1"), store.deadLetters().stream().map(DeadLetter::sink).toList());
        }
    }

    @Test
    void dispatchReturnsWithoutWaitingForTheReceiver() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.holding();
                AlertDispatcher dispatcher = new AlertDispatcher(List.of(sink("webhook-1", receiver)), store,
                        delivery(3, Duration.ofMillis(10)), clock)) {
            StoredAlert alert = storedAlert();

            assertTimeoutPreemptively(Duration.ofSeconds(2), () -> dispatcher.dispatch(alert));

            assertTrue(receiver.awaitEntered(Duration.ofSeconds(10)));
            receiver.release();
            receiver.awaitAccepted(Duration.ofSeconds(10));
        }
    }

    @Test
    void closingRecordsADeadLetterForADeliveryWaitingToRetry() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.alwaysFailing()) {
            AlertDispatcher dispatcher = new AlertDispatcher(List.of(sink("webhook-1", receiver)), store,
                    delivery(5, Duration.ofMinutes(10)), clock);
            StoredAlert alert = storedAlert();
            dispatcher.dispatch(alert);
            await("the first attempt").atMost(Duration.ofSeconds(10)).pollInterval(POLL).until(() -> receiver.requests().size() == 1);

            assertTimeoutPreemptively(Duration.ofSeconds(10), dispatcher::close);

            DeadLetter letter = store.deadLetters().get(0);
            assertEquals(1, letter.attempts());
            assertEquals("dispatcher closed before delivery; last error: http://127.0.0.1:" + receiver.url().getPort()
                    + " answered HTTP 500", letter.lastError());
        }
    }

    @Test
    void anAlertDispatchedAfterCloseIsDeadLetteredNotLost() {
        AlertDispatcher dispatcher = new AlertDispatcher(List.of(new WebhookAlertSink("webhook-1",
                URI.create("http://127.0.0.1:9/hook"), Duration.ofSeconds(1))), store,
                delivery(3, Duration.ofMillis(10)), clock);
        dispatcher.close();

        dispatcher.dispatch(storedAlert());

        assertEquals(List.of("dispatcher closed before delivery"),
                store.deadLetters().stream().map(DeadLetter::lastError).toList());
    }

    @Test
    void withoutSinksDispatchDoesNothing() {
        try (AlertDispatcher dispatcher = new AlertDispatcher(List.of(), store, delivery(3, Duration.ofMillis(10)), clock)) {
            dispatcher.dispatch(storedAlert());
        }

        assertEquals(List.of(), store.deadLetters());
    }

    @Test
    void backoffStartsAtTheInitialWaitDoublesAndIsCapped() {
        Duration initial = Duration.ofSeconds(1);
        Duration max = Duration.ofSeconds(60);

        Backoff retries = AlertDispatcher.retries(new AlertDeliveryConfig(List.of(), Duration.ofSeconds(5), 100, initial, max));

        List<Duration> waits = List.of(1, 2, 3, 4, 5, 6, 7, 8, 100).stream().map(retries::delay).toList();

        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L), waits.stream().map(Duration::getSeconds).toList());
        assertFalse(retries.delay(1).isNegative());
    }
}
