package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.error.DomainException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts deliveries and refusals per source in memory and adds them to the
 * {@link SourceActivityStore} every {@code flushInterval}, on every read and at close, so a
 * delivery costs one database transaction (its events), not two. The counters are operational
 * figures, not evidence (every delivery and refusal is in the chain): a crash loses at most one
 * interval of counts; a store that is down keeps them pending. Thread-safe.
 */
public final class SourceCounters implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SourceCounters.class);

    /** Counts not yet written for one source. */
    private static final class Pending {
        long deliveries;
        Instant newestDelivery = Instant.EPOCH;
        long refusals;
        Instant newestRefusal = Instant.EPOCH;
        String newestReason = "";
    }

    private final SourceActivityStore store;
    private final ScheduledExecutorService timer;
    // guarded by this
    private Map<SourceName, Pending> pending = new HashMap<>();

    public SourceCounters(SourceActivityStore store, Duration flushInterval) {
        this.store = requireNonNull(store, "store is null");
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "audit-source-counters");
            thread.setDaemon(true);
            return thread;
        });
        long period = requireNonNull(flushInterval, "flushInterval is null").toMillis();
        timer.scheduleWithFixedDelay(this::flushQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    /** Starts counting for {@code source} as of {@code now}, unless it is counted already. Blocks on the store. */
    public void register(SourceName source, Instant now) {
        store.register(source, now);
    }

    /** Counts an accepted delivery. Never blocks on the store. */
    public synchronized void delivered(SourceName source, Instant at) {
        Pending counts = pending.computeIfAbsent(source, s -> new Pending());
        counts.deliveries++;
        if (at.isAfter(counts.newestDelivery)) {
            counts.newestDelivery = at;
        }
    }

    /** Counts a refused delivery. Never blocks on the store. */
    public synchronized void refused(SourceName source, Instant at, String reason) {
        Pending counts = pending.computeIfAbsent(source, s -> new Pending());
        counts.refusals++;
        if (!at.isBefore(counts.newestRefusal)) {
            counts.newestRefusal = at;
            counts.newestReason = reason;
        }
    }

    /**
     * Writes the pending counts.
     *
     * @throws DomainException UNAVAILABLE when the store is down; the counts stay pending
     */
    public void flush() {
        Map<SourceName, Pending> taken;
        synchronized (this) {
            if (pending.isEmpty()) {
                return;
            }
            taken = pending;
            pending = new HashMap<>();
        }
        for (Map.Entry<SourceName, Pending> entry : taken.entrySet()) {
            Pending counts = entry.getValue();
            try {
                if (counts.deliveries > 0) {
                    store.recordDeliveries(entry.getKey(), counts.deliveries, counts.newestDelivery);
                    counts.deliveries = 0;
                }
                if (counts.refusals > 0) {
                    store.recordRefusals(entry.getKey(), counts.refusals, counts.newestRefusal, counts.newestReason);
                    counts.refusals = 0;
                }
            } catch (DomainException e) {
                putBack(entry.getKey(), counts);
                throw e;
            }
        }
    }

    /** Every registered source's activity, pending counts included. Blocks on the store. */
    public List<SourceActivity> all() {
        flushQuietly();
        return store.all();
    }

    private synchronized void putBack(SourceName source, Pending counts) {
        Pending now = pending.computeIfAbsent(source, s -> new Pending());
        now.deliveries += counts.deliveries;
        if (counts.newestDelivery.isAfter(now.newestDelivery)) {
            now.newestDelivery = counts.newestDelivery;
        }
        now.refusals += counts.refusals;
        if (counts.newestRefusal.isAfter(now.newestRefusal)) {
            now.newestRefusal = counts.newestRefusal;
            now.newestReason = counts.newestReason;
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (DomainException e) {
            log.atWarn().log("audit.source_counters_pending");
        }
    }

    /** Stops the timer and writes what is pending. */
    @Override
    public void close() {
        timer.shutdownNow();
        flushQuietly();
    }
}
