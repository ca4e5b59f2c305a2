package dev.portcullis.audit.alert;

import dev.portcullis.runtime.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.audit.alert.Alert.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AlertStore} promises. Each implementation's test extends this and gives a
 * fresh, empty store per test.
 */
abstract class AlertStoreContract {
    static final Instant START = Instant.parse("2024-03-04T10:00:00Z");

    final MutableClock clock = MutableClock.at(START);

    /**
     * A store over this test's data. Every call returns another instance over the same data, as a
     * second service replica sharing the database would be.
     */
    abstract AlertStore replica();

    static Alert alert(String rule, Instant raisedAt) {
        return new Alert(rule, Severity.HIGH, "something happened to " + rule, List.of(UUID.randomUUID()),
                Map.of("actor", "spiffe://example.org/ci/github/acme/infra-live"), raisedAt);
    }

    @Test
    void sequencesAreDenseAndStartAtOne() {
        AlertStore store = replica();

        List<Long> sequences = List.of(
                store.append(alert("breakglass", START)).sequence(),
                store.append(alert("breakglass", START)).sequence(),
                store.append(alert("secret_leak", START)).sequence());

        assertEquals(List.of(1L, 2L, 3L), sequences);
    }

    @Test
    void alertsStoredTogetherTakeConsecutiveSequencesInTheirOrder() {
        AlertStore store = replica();
        store.append(alert("breakglass", START));
        List<Alert> batch = List.of(alert("new_caller", START), alert("denial_burst", START), alert("secret_leak", START));

        List<StoredAlert> stored = store.appendAll(batch);

        assertEquals(List.of(2L, 3L, 4L), stored.stream().map(StoredAlert::sequence).toList());
        assertEquals(batch, stored.stream().map(StoredAlert::alert).toList());
        assertEquals(stored, replica().after(1, 10));
    }

    @Test
    void anEmptyBatchStoresNothing() {
        AlertStore store = replica();

        List<StoredAlert> stored = store.appendAll(List.of());

        assertEquals(List.of(), stored);
        assertEquals(1L, store.append(alert("breakglass", START)).sequence());
    }

    @Test
    void anAlertReadsBackExactlyAsItWasStored() {
        AlertStore store = replica();
        Alert alert = new Alert("auth_failure_burst", Severity.CRITICAL, "5 failed authentications by «ünï» \"x\" \\ y",
                List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID()),
                Map.of("actor", "spiffe://example.org/human/alice", "quote\"key", "line\nbreak\ttab\u0001",
                        "emoji", "🚨", "empty", ""),
                START.plusNanos(123_456_789));

        StoredAlert stored = store.append(alert);
        List<StoredAlert> read = replica().after(0, 10);

        assertEquals(List.of(stored), read);
        assertEquals(START.plusMillis(123), read.get(0).alert().raisedAt());
    }

    @Test
    void anAlertWithoutEventsOrAttributesReadsBack() {
        AlertStore store = replica();
        Alert alert = new Alert("new_caller", Severity.LOW, "First run", List.of(), Map.of(), START);

        StoredAlert stored = store.append(alert);

        assertEquals(List.of(stored), store.after(0, 1));
    }

    @Test
    void listIsNewestFirstAndPagesBelowTheGivenSequence() {
        AlertStore store = replica();
        for (int i = 0; i < 5; i++) {
            store.append(alert("breakglass", START.plusSeconds(i)));
        }

        List<StoredAlert> first = store.list(Optional.empty(), Optional.empty(), Long.MAX_VALUE, 2);
        List<StoredAlert> second = store.list(Optional.empty(), Optional.empty(), first.get(1).sequence(), 2);
        List<StoredAlert> last = store.list(Optional.empty(), Optional.empty(), second.get(1).sequence(), 2);

        assertEquals(List.of(5L, 4L), sequences(first));
        assertEquals(List.of(3L, 2L), sequences(second));
        assertEquals(List.of(1L), sequences(last));
    }

    @Test
    void listFiltersByRule() {
        AlertStore store = replica();
        store.append(alert("breakglass", START));
        store.append(alert("secret_leak", START));
        store.append(alert("breakglass", START));

        List<StoredAlert> listed = store.list(Optional.empty(), Optional.of("breakglass"), Long.MAX_VALUE, 10);

        assertEquals(List.of(3L, 1L), sequences(listed));
    }

    @Test
    void listFiltersByTimeIncludingAlertsRaisedExactlyAtTheGivenTime() {
        AlertStore store = replica();
        store.append(alert("breakglass", START));
        store.append(alert("breakglass", START.plusSeconds(60)));
        store.append(alert("secret_leak", START.plusSeconds(120)));

        List<StoredAlert> listed = store.list(Optional.of(START.plusSeconds(60)), Optional.empty(), Long.MAX_VALUE, 10);
        List<StoredAlert> both = store.list(Optional.of(START.plusSeconds(60)), Optional.of("breakglass"), Long.MAX_VALUE, 10);

        assertEquals(List.of(3L, 2L), sequences(listed));
        assertEquals(List.of(2L), sequences(both));
    }

    @Test
    void afterIsOldestFirstAboveTheGivenSequence() {
        AlertStore store = replica();
        for (int i = 0; i < 5; i++) {
            store.append(alert("breakglass", START));
        }

        assertEquals(List.of(3L, 4L), sequences(store.after(2, 2)));
        assertEquals(List.of(5L), sequences(store.after(4, 10)));
        assertEquals(List.of(), store.after(5, 10));
    }

    @Test
    void anEmptyStoreListsNothing() {
        AlertStore store = replica();

        assertEquals(List.of(), store.list(Optional.empty(), Optional.empty(), Long.MAX_VALUE, 10));
        assertEquals(List.of(), store.after(0, 10));
        assertEquals(List.of(), store.deadLetters());
    }

    @Test
    void pageSizesOutsideOneToTheMaximumAreRefused() {
        AlertStore store = replica();

        assertThrows(IllegalArgumentException.class, () -> store.after(0, 0));
        assertThrows(IllegalArgumentException.class, () -> store.after(0, AlertStore.MAX_PAGE + 1));
        assertThrows(IllegalArgumentException.class,
                () -> store.list(Optional.empty(), Optional.empty(), Long.MAX_VALUE, 0));
    }

    @Test
    void twoReplicasAppendingAtOnceGetDenseUniqueSequences() throws Exception {
        List<AlertStore> replicas = List.of(replica(), replica());
        int threads = 8;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Long>>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                AlertStore store = replicas.get(t % 2);
                results.add(pool.submit(() -> {
                    start.await();
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(store.append(alert("denial_burst", START)).sequence());
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> result : results) {
                all.addAll(result.get(60, TimeUnit.SECONDS));
            }
            Collections.sort(all);

            List<Long> expected = LongStream.rangeClosed(1, threads * perThread).boxed().toList();
            assertEquals(expected, all);
            assertEquals(expected, sequences(replica().after(0, AlertStore.MAX_PAGE)));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDeadLetterRecordsTheSinkAttemptsErrorAndTime() {
        AlertStore store = replica();
        StoredAlert stored = store.append(alert("secret_leak", START));
        clock.advance(Duration.ofMinutes(3));

        store.recordDeadLetter(stored, "webhook-1", 5, "http://127.0.0.1:9 answered HTTP 500");

        assertEquals(List.of(new DeadLetter(1, "webhook-1", 5, "http://127.0.0.1:9 answered HTTP 500",
                START.plus(Duration.ofMinutes(3)))), replica().deadLetters());
    }

    @Test
    void deadLettersAreListedOldestFirstAndLongErrorsAreCut() {
        AlertStore store = replica();
        StoredAlert first = store.append(alert("secret_leak", START));
        StoredAlert second = store.append(alert("breakglass", START));

        store.recordDeadLetter(second, "webhook-2", 3, "x".repeat(5000));
        store.recordDeadLetter(first, "webhook-1", 1, "refused");

        List<DeadLetter> letters = store.deadLetters();
        assertEquals(List.of(2L, 1L), letters.stream().map(DeadLetter::alertSequence).toList());
        assertEquals(1024, letters.get(0).lastError().length());
        assertEquals("refused", letters.get(1).lastError());
    }

    static List<Long> sequences(List<StoredAlert> alerts) {
        return alerts.stream().map(StoredAlert::sequence).toList();
    }
}
