package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves runs on after they are queued, on every replica at once without stepping on each
 * other: a replica drives a run only while it holds the run's lease in the store, and every
 * write it makes for the run is fenced by that lease ({@link RunStore#updateHeld}). One loop,
 * woken by {@link RunSignals} or every poll interval, runs a round of each part: the
 * {@link ApprovalExpiry} expires approvals, and the {@link Dispatcher} starts queued runs and hands
 * running ones to the {@link TaskLogCopier}. The {@link LeaseKeeper} renews this replica's leases
 * on its own thread, however long a round takes, and stops the copying of a run it finds lost. A
 * replica that dies lets its leases run out; another (or its successor) takes over. The loop and
 * the copier's followers share one executor of {@code 1 + }{@link RunSettings#taskFollowers}
 * threads.
 */
public final class RunDriver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunDriver.class);

    private final RunSignals signals;
    private final RunSettings settings;
    private final Clock clock;
    private final ExecutorService threads;
    private final LeaseKeeper leases;
    private final ApprovalExpiry expiry;
    private final Dispatcher dispatcher;
    private final TaskLogCopier copier;
    private volatile boolean closed;

    public RunDriver(RunStore store, PolicyCheck policy, TaskRunner tasks, AuditRecorder audit, RunSignals signals,
            RunSettings settings, Clock clock, String gatewayIdentity) {
        this(store, policy, tasks, audit, signals, settings, clock, gatewayIdentity, Telemetry.disabled("gateway"));
    }

    /**
     * As above; the work for each run (dispatch, following the task) runs in a span of the run's
     * own trace, a child of the span that submitted it, so the calls it makes join that trace.
     */
    public RunDriver(RunStore store, PolicyCheck policy, TaskRunner tasks, AuditRecorder audit, RunSignals signals,
            RunSettings settings, Clock clock, String gatewayIdentity, Telemetry telemetry) {
        requireNonNull(store, "store is null");
        requireNonNull(telemetry, "telemetry is null");
        requireNonNull(gatewayIdentity, "gatewayIdentity is null");
        this.signals = requireNonNull(signals, "signals is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        RunAudit runAudit = new RunAudit(requireNonNull(audit, "audit is null"), clock);
        this.threads = Executors.newFixedThreadPool(1 + settings.taskFollowers(), runnable -> {
            Thread thread = new Thread(runnable, "run-driver");
            thread.setDaemon(true);
            return thread;
        });
        this.leases = new LeaseKeeper(store, settings.lease(), clock);
        this.expiry = new ApprovalExpiry(store, runAudit, signals, clock, gatewayIdentity);
        RunEnding ending = new RunEnding(leases, runAudit, signals, gatewayIdentity);
        this.copier = new TaskLogCopier(store, leases, requireNonNull(tasks, "tasks is null"), runAudit, signals, clock,
                gatewayIdentity, telemetry, ending, threads, settings.taskFollowers(), () -> closed);
        this.dispatcher = new Dispatcher(store, requireNonNull(policy, "policy is null"), tasks, runAudit, signals,
                settings.taskTimeout(), clock, gatewayIdentity, telemetry, leases, ending, copier, () -> closed);
    }

    /** Starts driving in the background. */
    public void start() {
        leases.start(copier::stop);
        threads.execute(this::loop);
    }

    private void loop() {
        while (!closed) {
            long seen = signals.driverVersion();
            try {
                expiry.expire();
                dispatcher.drive();
            } catch (DomainException e) {
                log.atWarn().addKeyValue("reason", e.reason()).addKeyValue("error", e.getMessage()).log("run.driver_paused");
            } catch (RuntimeException e) {
                log.atError().setCause(e).log("run.driver_failed");
            }
            try {
                signals.awaitDriverWork(seen, settings.pollInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops driving; leases run out and another replica (or the next start) takes over. */
    @Override
    public void close() {
        closed = true;
        signals.changed();
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        leases.releaseAll();
    }
}
