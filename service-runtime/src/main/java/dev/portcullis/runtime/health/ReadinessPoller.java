package dev.portcullis.runtime.health;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a service's {@link ReadinessCheck}s, all at once, every {@code interval} and publishes the
 * result on its {@link ServingSwitch}: serving while every check is ready. A check that throws,
 * or has not answered within {@code check-timeout}, is not ready. A check still busy with an
 * earlier call is not called again, so a hung dependency never piles up threads; its late answer
 * counts in the round it arrives in.
 *
 * <p>Each check's changes are logged once: WARN {@code health.check_failed} (service, check,
 * problem) when it stops being ready, INFO {@code health.check_recovered} when it is ready again.
 *
 * <p>Thread-safe; rounds run one at a time. {@link #start()} once, {@link #close()} once.
 */
public final class ReadinessPoller implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReadinessPoller.class);

    private final String service;
    private final List<ReadinessCheck> checks;
    private final Duration interval;
    private final Duration checkTimeout;
    private final ServingSwitch target;
    private final ExecutorService workers;
    private final ScheduledExecutorService rounds;
    // guarded by this: each check's last result, and its call that has not answered yet
    private final Map<String, Readiness> last = new HashMap<>();
    private final Map<String, Future<Readiness>> unanswered = new HashMap<>();

    /**
     * @param service short service name for logs and thread names, e.g. "gateway"
     * @param checks the service's checks, distinct names; none means always serving
     */
    public ReadinessPoller(String service, List<ReadinessCheck> checks, HealthConfig config, ServingSwitch target) {
        this.service = requireNonNull(service, "service is null");
        this.checks = List.copyOf(checks);
        requireNonNull(config, "config is null");
        this.interval = config.interval();
        this.checkTimeout = config.checkTimeout();
        this.target = requireNonNull(target, "target is null");
        if (this.checks.stream().map(ReadinessCheck::name).distinct().count() != this.checks.size()) {
            throw new IllegalArgumentException("readiness check names must be distinct: " + this.checks);
        }
        this.workers = Executors.newCachedThreadPool(daemon("health-" + service + "-check"));
        this.rounds = Executors.newSingleThreadScheduledExecutor(daemon("health-" + service));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Runs the first round now, in the background, and one every {@code interval} after each. */
    public void start() {
        rounds.scheduleWithFixedDelay(this::scheduledRound, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void scheduledRound() {
        try {
            checkNow();
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: report and fail closed
            log.atError().addKeyValue("service", service).setCause(e).log("health.round_failed");
            target.setServing(false);
        }
    }

    /**
     * Runs one round of every check and publishes the result. Blocks up to {@code check-timeout}.
     *
     * @return each check's result, in the order the checks were given
     */
    public synchronized Map<String, Readiness> checkNow() {
        long deadline = System.nanoTime() + checkTimeout.toNanos();
        Map<String, Future<Readiness>> calls = new LinkedHashMap<>();
        for (ReadinessCheck check : checks) {
            Future<Readiness> call = unanswered.get(check.name());
            if (call == null) {
                call = workers.submit(check::check);
                unanswered.put(check.name(), call);
            }
            calls.put(check.name(), call);
        }
        Map<String, Readiness> results = new LinkedHashMap<>();
        boolean interrupted = false;
        for (Map.Entry<String, Future<Readiness>> call : calls.entrySet()) {
            Readiness result;
            try {
                result = interrupted ? Readiness.notReady("the health check was interrupted")
                        : answer(call.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                unanswered.remove(call.getKey());
            } catch (TimeoutException e) {
                result = Readiness.notReady("no answer within " + checkTimeout.toMillis() + "ms");
            } catch (ExecutionException e) {
                unanswered.remove(call.getKey());
                // the type only: an exception's message may quote a connection string or an upstream answer
                result = Readiness.notReady("the check failed: " + e.getCause().getClass().getSimpleName());
            } catch (InterruptedException e) {
                interrupted = true;
                result = Readiness.notReady("the health check was interrupted");
            }
            results.put(call.getKey(), result);
            logChange(call.getKey(), result);
        }
        target.setServing(results.values().stream().allMatch(Readiness::ready));
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return results;
    }

    private static Readiness answer(Readiness readiness) {
        return readiness == null ? Readiness.notReady("the check gave no answer") : readiness;
    }

    // caller holds this
    private void logChange(String check, Readiness now) {
        Readiness before = last.put(check, now);
        boolean wasReady = before == null || before.ready();
        if (wasReady && !now.ready()) {
            log.atWarn().addKeyValue("service", service).addKeyValue("check", check).addKeyValue("problem", now.problem())
                    .log("health.check_failed");
        } else if (!wasReady && now.ready()) {
            log.atInfo().addKeyValue("service", service).addKeyValue("check", check).log("health.check_recovered");
        }
    }

    /** Stops checking; a call still running is interrupted. */
    @Override
    public void close() {
        rounds.shutdownNow();
        workers.shutdownNow();
    }
}
