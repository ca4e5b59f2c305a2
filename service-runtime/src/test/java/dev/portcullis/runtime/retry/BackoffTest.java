package dev.portcullis.runtime.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Duration INITIAL = Duration.ofMillis(200);
    private static final Duration MAX = Duration.ofSeconds(30);

    @Test
    void delaysDoubleWithEachFailureWithinTheUpperHalfOfTheCeiling() {
        Backoff backoff = Backoff.exponential(INITIAL, MAX).withJitter(new SplittableRandom(7));

        for (int failures = 1; failures <= 8; failures++) {
            Duration ceiling = INITIAL.multipliedBy(1L << (failures - 1));
            Duration floor = failures == 1 ? INITIAL : ceiling.dividedBy(2);
            for (int draw = 0; draw < 100; draw++) {
                Duration delay = backoff.delay(failures);
                assertTrue(delay.compareTo(floor) >= 0 && delay.compareTo(ceiling) <= 0,
                        () -> "failure " + " delay " + delay);
            }
        }
    }

    @Test
    void delaysNeverExceedTheMaximumHoweverManyFailures() {
        Backoff backoff = Backoff.exponential(INITIAL, MAX).withJitter(new SplittableRandom(7));

        for (int failures : new int[] {9, 20, 64, 1_000, Integer.MAX_VALUE}) {
            Duration delay = backoff.delay(failures);
            assertTrue(delay.compareTo(MAX.dividedBy(2)) >= 0 && delay.compareTo(MAX) <= 0, delay::toString);
        }
    }

    @Test
    void delaysAreJitteredSoServicesDoNotRetryInLockstep() {
        Backoff backoff = Backoff.exponential(INITIAL, MAX).withJitter(new SplittableRandom(7));
        Set<Duration> delays = new HashSet<>();

        for (int draw = 0; draw < 20; draw++) {
            delays.add(backoff.delay(5));
        }

        assertNotEquals(1, delays.size());
    }

    @Test
    void equalInitialAndMaximumGiveAFixedDelay() {
        Backoff backoff = Backoff.exponential(INITIAL, INITIAL).withJitter(new SplittableRandom(7));

        assertEquals(INITIAL, backoff.delay(1));
        assertEquals(INITIAL, backoff.delay(10));
    }

    @Test
    void withoutJitterEachWaitIsItsCeiling() {
        Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(60));

        List<Long> waits = List.of(1, 2, 3, 4, 5, 6, 7, 8, 100, Integer.MAX_VALUE).stream()
                .map(attempt -> backoff.delay(attempt).getSeconds()).toList();

        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L, 60L), waits);
    }

    @Test
    void aMultiplierOtherThanTwoGrowsTheWaitsByIt() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), 1.5, Duration.ofSeconds(1), new Backoff.Jitter.None(), 3);

        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(150), Duration.ofMillis(225)),
                List.of(backoff.delay(1), backoff.delay(2), backoff.delay(3)));
    }

    @Test
    void maxAttemptsBoundsTheRetries() {
        Backoff backoff = Backoff.exponential(INITIAL, MAX).withMaxAttempts(3);

        assertTrue(backoff.retriesAfter(2));
        assertFalse(backoff.retriesAfter(3));
        assertTrue(Backoff.exponential(INITIAL, MAX).retriesAfter(1_000_000));
    }

    @Test
    void nonsensicalBackoffsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Backoff.exponential(Duration.ZERO, MAX));
        assertThrows(IllegalArgumentException.class, () -> Backoff.exponential(MAX, INITIAL));
        assertThrows(IllegalArgumentException.class, () -> Backoff.exponential(INITIAL, MAX).withMaxAttempts(0));
        assertThrows(IllegalArgumentException.class,
                () -> new Backoff(INITIAL, 0.5, MAX, new Backoff.Jitter.None(), Backoff.UNLIMITED));
        assertThrows(IllegalArgumentException.class, () -> Backoff.exponential(INITIAL, MAX).delay(0));
    }
}
