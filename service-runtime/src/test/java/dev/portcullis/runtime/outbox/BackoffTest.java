package dev.portcullis.runtime.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Duration INITIAL = Duration.ofMillis(200);
    private static final Duration MAX = Duration.ofSeconds(30);

    @Test
    void delaysDoubleWithEachFailureWithinTheUpperHalfOfTheCeiling() {
        Backoff backoff = new Backoff(INITIAL, MAX, new SplittableRandom(7));

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
        Backoff backoff = new Backoff(INITIAL, MAX, new SplittableRandom(7));

        for (int failures : new int[] {9, 20, 64, 1_000, Integer.MAX_VALUE}) {
            Duration delay = backoff.delay(failures);
            assertTrue(delay.compareTo(MAX.dividedBy(2)) >= 0 && delay.compareTo(MAX) <= 0, delay::toString);
        }
    }

    @Test
    void delaysAreJitteredSoServicesDoNotRetryInLockstep() {
        Backoff backoff = new Backoff(INITIAL, MAX, new SplittableRandom(7));
        Set<Duration> delays = new HashSet<>();

        for (int draw = 0; draw < 20; draw++) {
            delays.add(backoff.delay(5));
        }

        assertNotEquals(1, delays.size());
    }

    @Test
    void equalInitialAndMaximumGiveAFixedDelay() {
        Backoff backoff = new Backoff(INITIAL, INITIAL, new SplittableRandom(7));

        assertEquals(INITIAL, backoff.delay(1));
        assertEquals(INITIAL, backoff.delay(10));
    }
}
