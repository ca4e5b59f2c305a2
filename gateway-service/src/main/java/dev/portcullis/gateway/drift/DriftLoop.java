package dev.portcullis.gateway.drift;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.error.DomainException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link DriftScheduler#round} on one thread of its own, every {@code interval} after the
 * last round ended, so rounds never overlap and a slow policy service or repository slows only
 * drift checks, never the run driver. A failed round is logged and the next tries again.
 */
public final class DriftLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DriftLoop.class);

    private final DriftScheduler scheduler;
    private final Duration interval;
    private final ScheduledExecutorService thread;

    public DriftLoop(DriftScheduler scheduler, Duration interval) {
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.interval = requireNonNull(interval, "interval is null");
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread named = new Thread(runnable, "drift-scheduler");
            named.setDaemon(true);
            return named;
        });
    }

    /** Starts the rounds in the background; the first runs at once. */
    public void start() {
        thread.scheduleWithFixedDelay(this::round, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void round() {
        try {
            DriftScheduler.Round round = scheduler.round();
            if (round.added() + round.removed() + round.recorded() + round.submitted().size() + round.submitFailed() > 0) {
                log.atInfo().addKeyValue("added", round.added()).addKeyValue("removed", round.removed())
                        .addKeyValue("recorded", round.recorded()).addKeyValue("submitted", round.submitted().size())
                        .addKeyValue("not_submitted", round.submitFailed()).log("drift.round");
            }
        } catch (DomainException e) {
            log.atWarn().addKeyValue("reason", e.reason()).addKeyValue("error", e.getMessage()).log("drift.round_paused");
        } catch (RuntimeException e) {
            // a failure escaping the scheduled task would cancel every later round
            log.atError().setCause(e).log("drift.round_failed");
        }
    }

    /** Stops the rounds; a claim this replica held runs out and another replica takes the target. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
