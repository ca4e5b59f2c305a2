package dev.portcullis.runtime.outbox;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: after the n-th consecutive failure the ceiling is
 * {@code initial * 2^(n-1)}, capped at {@code max}, and the delay is drawn uniformly from the
 * upper half of it (never below {@code initial}), so a fleet of services that lost the audit
 * service together does not come back in lockstep. Not thread-safe: one per shipping thread.
 */
final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final RandomGenerator random;

    Backoff(Duration initial, Duration max, RandomGenerator random) {
        this.initialNanos = requireNonNull(initial, "initial is null").toNanos();
        this.maxNanos = requireNonNull(max, "max is null").toNanos();
        this.random = requireNonNull(random, "random is null");
        if (initialNanos <= 0 || maxNanos < initialNanos) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max");
        }
    }

    /** How long to wait after {@code failures} (at least 1) consecutive failures. */
    Duration delay(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1");
        }
        long ceiling = initialNanos;
        for (int i = 1; i < failures && ceiling < maxNanos; i++) {
            ceiling = ceiling > maxNanos / 2 ? maxNanos : ceiling * 2;
        }
        ceiling = Math.min(ceiling, maxNanos);
        long floor = Math.max(initialNanos, ceiling / 2);
        return Duration.ofNanos(floor + (long) (random.nextDouble() * (ceiling - floor)));
    }
}
