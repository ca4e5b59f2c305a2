package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's leases on the runs it drives: claims them, renews them all a third of a lease
 * after the last renewal, and lets go of them when the driver closes, so another replica (or the
 * next start) takes over at once instead of after the lease ran out.
 */
final class LeaseKeeper {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final RunStore store;
    private final Duration lease;
    private final Clock clock;
    private final String owner = UUID.randomUUID().toString();
    /** Touched by the driver's loop thread only. */
    private Instant lastRenew = Instant.MIN;

    LeaseKeeper(RunStore store, Duration lease, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.lease = requireNonNull(lease, "lease is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Renews every lease this replica holds when a third of a lease passed since the last renewal. */
    void renewIfDue(Instant now) {
        if (Duration.between(lastRenew, now).compareTo(lease.dividedBy(3)) >= 0) {
            store.renew(owner, now.plus(lease));
            lastRenew = now;
        }
    }

    /** Runs in {@code states} nobody but this replica drives, oldest first (without approvals or queue position). */
    List<Run> unattended(Set<RunState> states, Instant now, int max) {
        return store.unattended(states, owner, now, max);
    }

    /** True when this replica now drives the run, for a lease from {@code now}. */
    boolean claim(Run run, Instant now) {
        return store.claim(run.id(), owner, now, now.plus(lease));
    }

    /** Lets go of every lease this replica holds; never throws. */
    void releaseAll() {
        try {
            store.renew(owner, clock.instant().minusSeconds(1));
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("error", e.getMessage()).log("run.release_failed");
        }
    }
}
