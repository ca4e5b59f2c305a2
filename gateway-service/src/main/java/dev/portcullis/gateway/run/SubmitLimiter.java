package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token bucket per identity: {@code perMinute} submits a minute, bursts up to the same number.
 * Per replica (two replicas allow up to twice the rate). Thread-safe; remembers at most 10,000
 * identities, forgetting the least recently seen.
 */
final class SubmitLimiter {
    private static final int MAX_IDENTITIES = 10_000;

    private final int perMinute;
    private final Clock clock;
    // guarded by this
    private final Map<SpiffeId, double[]> buckets = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<SpiffeId, double[]> eldest) {
            return size() > MAX_IDENTITIES;
        }
    };

    SubmitLimiter(int perMinute, Clock clock) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("perMinute must be at least 1");
        }
        this.perMinute = perMinute;
        this.clock = requireNonNull(clock, "clock is null");
    }

    int perMinute() {
        return perMinute;
    }

    /** Takes a token; when none is left, how long until one is. */
    synchronized Duration take(SpiffeId identity) {
        double now = clock.millis();
        double[] bucket = buckets.computeIfAbsent(identity, id -> new double[] {perMinute, now});
        double refill = (now - bucket[1]) * perMinute / 60_000.0;
        bucket[0] = Math.min(perMinute, bucket[0] + refill);
        bucket[1] = now;
        if (bucket[0] >= 1) {
            bucket[0] -= 1;
            return Duration.ZERO;
        }
        return Duration.ofMillis((long) Math.ceil((1 - bucket[0]) * 60_000.0 / perMinute));
    }
}
