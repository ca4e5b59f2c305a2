package dev.portcullis.runtime.retry;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long to wait between attempts of something that failed: the wait after the n-th attempt
 * (n >= 1) has the ceiling {@code initial * multiplier^(n-1)}, capped at {@code max}. Without
 * jitter the wait is the ceiling; with {@link Jitter.UpperHalf} it is drawn uniformly from the
 * upper half of the ceiling (never below {@code initial}), so that callers that failed together
 * do not come back in lockstep. {@code maxAttempts} bounds how many attempts are made in all.
 *
 * <p>The one backoff of Portcullis: every retry loop computes its waits here. Immutable;
 * thread-safe as far as the jitter's random source is.
 *
 * @param initial the wait after the first attempt; positive
 * @param multiplier how much each further wait grows; at least 1
 * @param max the longest wait; at least {@code initial}
 * @param jitter whether and how waits are spread
 * @param maxAttempts the attempts made in all, at least 1; {@link #UNLIMITED} for no bound
 */
public record Backoff(Duration initial, double multiplier, Duration max, Jitter jitter, int maxAttempts) {
    /** No bound on the attempts. */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    /** Whether and how the waits are spread around their ceiling. */
    public sealed interface Jitter {
        /** Every wait is its ceiling. */
        record None() implements Jitter {}

        /** Every wait is drawn from the upper half of its ceiling, never below the initial wait. */
        record UpperHalf(RandomGenerator random) implements Jitter {
            public UpperHalf {
                requireNonNull(random, "random is null");
            }
        }
    }

    public Backoff {
        requireNonNull(initial, "initial is null");
        requireNonNull(max, "max is null");
        requireNonNull(jitter, "jitter is null");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max");
        }
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("backoff multiplier must be a finite number of at least 1");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("backoff needs at least one attempt");
        }
    }

    /** Doubling from {@code initial} up to {@code max}, without jitter, with no bound on the attempts. */
    public static Backoff exponential(Duration initial, Duration max) {
        return new Backoff(initial, 2, max, new Jitter.None(), UNLIMITED);
    }

    /** This backoff with waits spread over the upper half of their ceiling, drawn from {@code random}. */
    public Backoff withJitter(RandomGenerator random) {
        return new Backoff(initial, multiplier, max, new Jitter.UpperHalf(random), maxAttempts);
    }

    /** This backoff making at most {@code attempts} attempts in all. */
    public Backoff withMaxAttempts(int attempts) {
        return new Backoff(initial, multiplier, max, jitter, attempts);
    }

    /** Whether another attempt is due after {@code attempts} attempts failed. */
    public boolean retriesAfter(int attempts) {
        return attempts < maxAttempts;
    }

    /** The longest wait after {@code attempt} (at least 1) failed attempts: the wait without jitter. */
    public Duration ceiling(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1");
        }
        long maxNanos = max.toNanos();
        double nanos = initial.toNanos(); // exact for doubling: it stops growing before 2^63
        for (int i = 1; i < attempt && nanos < maxNanos; i++) {
            nanos *= multiplier;
        }
        return Duration.ofNanos((long) Math.min(nanos, maxNanos));
    }

    /** How long to wait after {@code attempt} (at least 1) consecutive failed attempts. */
    public Duration delay(int attempt) {
        Duration ceiling = ceiling(attempt);
        if (jitter instanceof Jitter.UpperHalf upperHalf) {
            long ceilingNanos = ceiling.toNanos();
            long floor = Math.max(initial.toNanos(), ceilingNanos / 2);
            return Duration.ofNanos(floor + (long) (upperHalf.random().nextDouble() * (ceilingNanos - floor)));
        }
        return ceiling;
    }
}
