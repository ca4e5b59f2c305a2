package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * How many refusals a second are recorded when anyone who can open a connection can provoke them
 * (a refused TLS handshake; a call without credentials to a server admitting callers without a
 * client certificate): so a flood cannot fill the audit outbox, which would make the gateway refuse
 * all new work, and cannot go unseen either. The first {@code perSecond} of each one-second window
 * are recorded; the next recorded one says how many were left out. One budget per server, shared by
 * all such refusals; the web console keeps one per source address for the refusals it records
 * itself. Thread-safe.
 */
public final class RefusalBudget {
    /** What each server allows itself. */
    static final int PER_SECOND = ServerConfig.DEFAULT_ANONYMOUS_REFUSALS_PER_SECOND;

    private final int perSecond;
    private final Clock clock;
    // guarded by this: the current window and what it let through and held back
    private Instant window = Instant.EPOCH;
    private int recordedInWindow;
    private long suppressed;

    /** @throws IllegalArgumentException when {@code perSecond} is below 1 */
    public RefusalBudget(int perSecond, Clock clock) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond must be at least 1");
        }
        this.perSecond = perSecond;
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Empty when this refusal is left out of the record; otherwise how many were left out since the
     * last one recorded (usually 0).
     */
    public synchronized OptionalLong take() {
        Instant now = clock.instant();
        if (!now.isBefore(window.plus(Duration.ofSeconds(1)))) {
            window = now;
            recordedInWindow = 0;
        }
        if (recordedInWindow >= perSecond) {
            suppressed++;
            return OptionalLong.empty();
        }
        recordedInWindow++;
        long left = suppressed;
        suppressed = 0;
        return OptionalLong.of(left);
    }
}
