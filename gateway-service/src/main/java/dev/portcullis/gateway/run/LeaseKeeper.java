package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.RunId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's leases on the runs it drives: claims them, renews them all every third of a
 * lease on its own thread, and lets go of them when the driver closes, so another replica (or the
 * next start) takes over at once instead of after the lease ran out. Renewal never waits for the
 * driver's loop: a dispatch that blocks (a slow policy decision or task start) does not let the
 * leases run out. A renewal that finds a run it claimed held by nobody or another replica tells
 * {@code onLost}, which stops this replica's work on it. Every write for a driven run goes through
 * {@link #update}, fenced by the lease. Thread-safe.
 */
final class LeaseKeeper {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

    private final RunStore store;
    private final Duration lease;
    private final Clock clock;
    private final String owner = UUID.randomUUID().toString();
    /** The runs this replica claimed and has not seen lost since. */
    private final Set<RunId> claimed = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "run-leases");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Consumer<RunId> onLost = id -> { };

    LeaseKeeper(RunStore store, Duration lease, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.lease = requireNonNull(lease, "lease is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Starts renewing every third of a lease; {@code lost} hears of each claimed run this replica no longer holds. */
    void start(Consumer<RunId> lost) {
        onLost = requireNonNull(lost, "lost is null");
        long every = Math.max(1, lease.dividedBy(3).toMillis());
        renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /** Renews every lease this replica holds now; tells of the claimed runs it no longer holds. */
    void renew() {
        Set<RunId> held;
        try {
            held = store.renew(owner, clock.instant().plus(lease));
        } catch (RuntimeException e) {
            // the next renewal tries again; a lease that runs out meanwhile is found lost then
            log.atWarn().addKeyValue("error", e.getMessage()).log("run.lease_renewal_failed");
            return;
        }
        for (RunId id : List.copyOf(claimed)) {
            if (!held.contains(id)) {
                claimed.remove(id);
                onLost.accept(id);
            }
        }
    }

    /** Runs in {@code states} nobody but this replica drives, oldest first (without approvals or queue position). */
    List<Run> unattended(Set<RunState> states, Instant now, int max) {
        return store.unattended(states, owner, now, max);
    }

    /** True when this replica now drives the run, for a lease from {@code now}. */
    boolean claim(Run run, Instant now) {
        boolean claimedNow = store.claim(run.id(), owner, now, now.plus(lease));
        if (claimedNow) {
            claimed.add(run.id());
        }
        return claimedNow;
    }

    /**
     * Changes a run this replica drives, only while it holds the run's lease.
     *
     * @throws RunLeaseLostException when it does not (nothing is written)
     */
    Run update(RunId id, Function<Run, RunChange> decide) {
        return store.updateHeld(id, owner, decide);
    }

    /** Stops renewing and lets go of every lease this replica holds; never throws. */
    void releaseAll() {
        renewer.shutdownNow();
        try {
            renewer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            store.renew(owner, clock.instant().minusSeconds(1));
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("error", e.getMessage()).log("run.release_failed");
        }
    }
}
