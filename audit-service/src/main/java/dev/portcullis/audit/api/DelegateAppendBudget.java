package dev.portcullis.audit.api;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.error.DomainException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many events a delegate (the web console) may append with its certificate alone: a bucket of
 * {@link #CAPACITY} events per delegate identity, refilled at {@link #PER_SECOND} a second. The
 * console budgets its refusals per source address before sending them, but the audit service cannot
 * rely on that: a stolen console certificate would otherwise fill the log and the alert feeds with
 * refusals without bound. A batch over the budget is refused whole, nothing stored; the console
 * keeps it and sends it again later. Delegates are configured identities, so the map stays small.
 * Thread-safe.
 */
final class DelegateAppendBudget {
    static final int CAPACITY = 1_000;
    static final int PER_SECOND = 20;

    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    DelegateAppendBudget(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Takes {@code events} from {@code delegate}'s budget.
     *
     * @throws DomainException EXHAUSTED {@code DELEGATE_RATE_LIMITED} when they do not fit, naming when to retry
     */
    void take(String delegate, int events) {
        long waitSeconds = buckets.computeIfAbsent(delegate, d -> new Bucket(clock.millis())).take(events, clock.millis());
        if (waitSeconds > 0) {
            throw new DomainException(DomainException.Kind.EXHAUSTED, "DELEGATE_RATE_LIMITED",
                    "a delegate's certificate alone may append at most " + CAPACITY + " events at once and " + PER_SECOND
                            + " a second after that; send this batch again later",
                    Map.of("retry_after_seconds", Long.toString(waitSeconds)));
        }
    }

    /** One delegate's bucket, in thousandths of an event so the refill needs no floating point. */
    private static final class Bucket {
        private long milliEvents = CAPACITY * 1000L;
        private long refilledAt;

        Bucket(long now) {
            refilledAt = now;
        }

        /** 0 when taken; otherwise the seconds until {@code events} would fit, and nothing is taken. */
        synchronized long take(int events, long now) {
            long elapsed = Math.max(0, now - refilledAt);
            milliEvents = Math.min(CAPACITY * 1000L, milliEvents + elapsed * PER_SECOND);
            refilledAt = now;
            long needed = events * 1000L;
            if (needed <= milliEvents) {
                milliEvents -= needed;
                return 0;
            }
            long missing = needed - Math.min(needed, milliEvents);
            return Math.max(1, (missing + PER_SECOND * 1000L - 1) / (PER_SECOND * 1000L));
        }
    }
}
