package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Moves runs on after they are queued, on every replica at once without stepping on each
 * other: a replica drives a run only while it holds the run's lease in the store. It expires
 * approvals, takes the (repo, folder, environment) lock for the first run in line, takes the
 * decision again, starts the task, copies the task's log into the run's events (resuming from
 * the last copied offset, so nothing is lost or doubled across restarts) and ends the run with
 * the task. A replica that dies lets its leases run out; another (or its successor) takes over.
 * Each round also relays audit events that committed changes left waiting in the store.
 */
public final class RunDriver implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunDriver.class);
    private static final int BATCH = 500;
    /** A change's own hand-off takes milliseconds: rows older than this were left behind. */
    static final Duration RELAY_AFTER = Duration.ofSeconds(5);
    private static final Duration RELAY_EVERY = Duration.ofSeconds(1);

    private final RunStore store;
    private final PolicyCheck policy;
    private final TaskRunner tasks;
    private final RunAudit audit;
    private final RunSignals signals;
    private final RunSettings settings;
    private final Clock clock;
    private final String owner = UUID.randomUUID().toString();
    private final Map<RunId, Follower> followers = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "run-driver");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;
    private final String actor;
    private final Telemetry telemetry;

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
        this.telemetry = requireNonNull(telemetry, "telemetry is null");
        this.store = requireNonNull(store, "store is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.tasks = requireNonNull(tasks, "tasks is null");
        this.audit = new RunAudit(requireNonNull(audit, "audit is null"), clock);
        this.signals = requireNonNull(signals, "signals is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.actor = requireNonNull(gatewayIdentity, "gatewayIdentity is null");
    }

    /** Starts driving in the background. */
    public void start() {
        threads.execute(this::loop);
    }

    private void loop() {
        Instant lastRenew = Instant.MIN;
        Instant lastRelay = Instant.MIN;
        while (!closed) {
            long seen = signals.version();
            try {
                Instant now = clock.instant();
                if (Duration.between(lastRenew, now).compareTo(settings.lease().dividedBy(3)) >= 0) {
                    store.renew(owner, now.plus(settings.lease()));
                    lastRenew = now;
                }
                if (Duration.between(lastRelay, now).compareTo(RELAY_EVERY) >= 0) {
                    // audit events a gateway committed but never handed to its outbox (it died, or the outbox was full)
                    store.relayAudit(now.minus(RELAY_AFTER), now, now.plus(settings.lease()), BATCH);
                    lastRelay = now;
                }
                expireApprovals();
                drive();
            } catch (DomainException e) {
                log.atWarn().addKeyValue("reason", e.reason()).addKeyValue("error", e.getMessage()).log("run.driver_paused");
            } catch (RuntimeException e) {
                log.atError().setCause(e).log("run.driver_failed");
            }
            try {
                signals.await(seen, settings.pollInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void expireApprovals() {
        for (Run run : store.approvalsPastDeadline(clock.instant(), BATCH)) {
            Run expired;
            try {
                expired = store.update(run.id(), current -> current.state() == RunState.AWAITING_APPROVAL
                        ? RunChange.to(RunState.EXPIRED, "no approval before " + current.approvalDeadline().orElseThrow())
                                .audit(after -> List.of(audit.event(AuditAction.RUN_EXPIRED, after, actor, "")))
                        : RunChange.keepState());
            } catch (DomainException e) {
                continue;
            }
            if (expired.state() == RunState.EXPIRED) {
                signals.changed();
            }
        }
    }

    private void drive() {
        Instant now = clock.instant();
        List<Run> due = store.unattended(RunState.where(RunState::isDriven), owner, now, BATCH);
        Set<String> lockKeysTried = new HashSet<>();
        for (Run run : due) {
            if (closed) {
                return;
            }
            if (followers.containsKey(run.id())) {
                continue;
            }
            if (run.state() == RunState.QUEUED && !lockKeysTried.add(run.spec().lockKey())) {
                continue; // only the first in line for a lock may take it
            }
            if (!store.claim(run.id(), owner, now, now.plus(settings.lease()))) {
                continue;
            }
            try (MDC.MDCCloseable ignored = MDC.putCloseable("run_id", run.id().value())) {
                if (run.state() == RunState.QUEUED) {
                    telemetry.inTrace(run.traceId(), run.traceSpanId(), "run.dispatch",
                            Map.of("portcullis.run_id", run.id().value()), () -> dispatch(run));
                } else {
                    follow(run); // taken over, after a restart or from a replica that died
                }
            } catch (DomainException e) {
                // e.g. the policy service or the store is down: the run keeps its place, retried next round
                log.atWarn().addKeyValue("run_id", run.id().value()).addKeyValue("reason", e.reason())
                        .addKeyValue("error", e.getMessage()).log("run.dispatch_deferred");
            }
        }
    }

    /** A queued run first in line: lock, decide again, start the task, mark it RUNNING. */
    private void dispatch(Run scanned) {
        if (!store.tryLock(scanned.id())) {
            return;
        }
        // the scan carries no approvals, and the run may have changed since: decide on it as it is now
        Optional<Run> now = store.find(scanned.id());
        if (now.isEmpty() || now.get().state() != RunState.QUEUED) {
            return;
        }
        Run run = now.get();
        List<PolicyCheck.PlanBinding> plan = List.of();
        Optional<PlanArtifact> artifact = Optional.empty();
        if (run.spec().planRun().isPresent()) {
            Optional<Run> planRun = store.find(run.spec().planRun().get());
            artifact = planRun.flatMap(Run::artifact);
            if (artifact.isEmpty()) {
                end(run, RunState.DENIED, "PLAN_NOT_USABLE: the plan run " + run.spec().planRun().get() + " has no artifact",
                        AuditAction.POLICY_DENIED, AuditOutcome.DENIED);
                return;
            }
            plan = List.of(new PolicyCheck.PlanBinding(run.spec().planRun().get(), planRun.get().spec().commit(),
                    artifact.get().sha256()));
        }
        Decision decision = policy.evaluate(run.requester(), run.spec(), plan, run.breakGlass(), run.traceId());
        Map<String, String> decided = Map.of("catalog_version", decision.catalogVersion(), "rule", decision.matchedRule(),
                "reasons", decision.reasonCodes(), "when", "dequeue");
        if (!decision.allowed()) {
            store.update(run.id(), current -> current.state() == RunState.QUEUED
                    ? RunChange.to(RunState.DENIED, "denied when leaving the queue: " + RunService.summary(decision))
                            .decision(decision).audit(denied -> List.of(audit.event(AuditAction.POLICY_DENIED, denied, actor,
                                    AuditOutcome.DENIED, "POLICY_DENIED", "", decided)))
                    : RunChange.keepState());
            signals.changed();
            return;
        }
        if (decision.requiredApprovals() > run.approvals().size()) {
            store.update(run.id(), current -> current.state() == RunState.QUEUED
                    ? RunChange.to(RunState.DENIED, "APPROVALS_REQUIRED: the catalog now requires "
                            + decision.requiredApprovals() + " approval(s) and the run has " + current.approvals().size()
                            + "; submit it again").decision(decision).audit(denied -> List.of(audit.event(
                                    AuditAction.POLICY_DENIED, denied, actor, AuditOutcome.DENIED, "APPROVALS_REQUIRED", "",
                                    decided)))
                    : RunChange.keepState());
            signals.changed();
            return;
        }
        TaskRunner.TaskRequest request = new TaskRunner.TaskRequest(run.id(), decision.repoUrl(), run.spec().commit(),
                run.spec().folder(), run.spec().environment().value(), decision.argv(), decision.secretGrants(),
                artifact.map(List::of).orElse(List.of()), decision.producesArtifact(), settings.taskTimeout(), run.traceId());
        try {
            tasks.start(request);
        } catch (DomainException e) {
            if (e.kind() == DomainException.Kind.UNAVAILABLE) {
                log.atWarn().addKeyValue("run_id", run.id().value()).addKeyValue("error", e.getMessage()).log("run.start_deferred");
                return; // keeps the lock and its place; retried on the next round
            }
            end(run, RunState.FAILED, e.getMessage(), AuditAction.RUN_FINISHED,
                    AuditOutcome.FAILURE);
            return;
        }
        Run running;
        try {
            running = store.update(run.id(), current -> RunChange.to(RunState.RUNNING, "").decision(decision)
                    .audit(started -> List.of(
                            audit.event(AuditAction.POLICY_ALLOWED, started, actor, AuditOutcome.SUCCESS, "", "", decided),
                            audit.event(AuditAction.RUN_STARTED, started, actor, AuditOutcome.SUCCESS, "", "",
                                    Map.of("catalog_version", decision.catalogVersion())))));
        } catch (DomainException e) {
            // cancelled (or otherwise ended) while the task was starting: stop the task
            cancelQuietly(run.id(), "the run ended before its task started");
            return;
        }
        signals.changed();
        follow(running);
    }

    private void end(Run run, RunState state, String reason, AuditAction action, AuditOutcome outcome) {
        store.update(run.id(), current -> current.state().canMoveTo(state) ? RunChange.to(state, reason)
                .audit(ended -> List.of(audit.event(action, ended, actor, outcome, state.name(), "", Map.of("reason", reason))))
                : RunChange.keepState());
        signals.changed();
    }

    private void cancelQuietly(RunId id, String reason) {
        try {
            tasks.cancel(id, reason);
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("run_id", id.value()).addKeyValue("error", e.getMessage()).log("run.cancel_failed");
        }
    }

    private void follow(Run run) {
        Follower follower = new Follower(run.id());
        if (followers.putIfAbsent(run.id(), follower) == null) {
            threads.execute(follower);
        }
    }

    /** Copies one running task's events into its run until the task ends. */
    private final class Follower implements Runnable {
        private final RunId id;
        private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private boolean cancelSent;

        Follower(RunId id) {
            this.id = id;
        }

        @Override
        public void run() {
            Optional<Run> run;
            try {
                run = store.find(id);
            } catch (RuntimeException e) {
                run = Optional.empty();
            }
            try (MDC.MDCCloseable ignored = MDC.putCloseable("run_id", id.value())) {
                telemetry.inTrace(run.map(Run::traceId).orElse(""), run.map(Run::traceSpanId).orElse(""), "run.follow",
                        Map.of("portcullis.run_id", id.value()), this::followTask);
            }
        }

        private void followTask() {
            Duration backoff = Duration.ofMillis(200);
            try {
                while (!closed) {
                    Optional<Run> current = store.find(id);
                    if (current.isEmpty() || current.get().state() != RunState.RUNNING) {
                        return;
                    }
                    Run run = current.get();
                    queue.clear();
                    TaskRunner.Subscription subscription = tasks.follow(id, run.taskOffset(), new TaskRunner.Sink() {
                        @Override
                        public void event(TaskRunner.TaskEvent event) {
                            queue.add(event);
                        }

                        @Override
                        public void ended(Optional<RuntimeException> failure) {
                            queue.add(failure.<Object>map(f -> f).orElse(Boolean.TRUE));
                        }
                    });
                    Object end;
                    try {
                        end = copy(run);
                    } finally {
                        subscription.cancel();
                    }
                    if (end == Boolean.FALSE) {
                        return; // the run ended
                    }
                    if (end instanceof DomainException e && e.kind() == DomainException.Kind.NOT_FOUND) {
                        end(run, RunState.FAILED, "the executor no longer knows the task (it lost its state)",
                                AuditAction.RUN_FINISHED, AuditOutcome.FAILURE);
                        return;
                    }
                    if (end instanceof RuntimeException e) {
                        log.atWarn().addKeyValue("run_id", id.value()).addKeyValue("error", e.getMessage()).log("run.follow_retry");
                    }
                    Thread.sleep(backoff.toMillis());
                    backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10)
                            : backoff.multipliedBy(2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.atError().addKeyValue("run_id", id.value()).setCause(e).log("run.follow_failed");
            } finally {
                followers.remove(id, this);
                if (!closed) {
                    signals.changed(); // another round picks the run up again if it still runs
                }
            }
        }

        /**
         * Copies events until the task ended (FALSE), the stream ended early (TRUE or the
         * failure), or the driver closed.
         */
        private Object copy(Run run) throws InterruptedException {
            long nextTaskOffset = run.taskOffset();
            while (!closed) {
                Object first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    maybeCancel();
                    continue;
                }
                List<Object> batch = new ArrayList<>();
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                List<RunChange.Line> lines = new ArrayList<>();
                Optional<TaskRunner.TaskStatus> finished = Optional.empty();
                Object streamEnd = null;
                for (Object item : batch) {
                    if (item instanceof TaskRunner.Line line) {
                        if (line.offset() >= nextTaskOffset) {
                            lines.add(new RunChange.Line(clock.instant(), line.stream(), line.text(), line.redacted()));
                            nextTaskOffset = line.offset() + 1;
                        }
                    } else if (item instanceof TaskRunner.StateChanged changed) {
                        if (changed.offset() >= nextTaskOffset) {
                            nextTaskOffset = changed.offset() + 1;
                            if (changed.status().state().isFinal()) {
                                finished = Optional.of(changed.status());
                            }
                        }
                    } else {
                        streamEnd = item;
                    }
                }
                long copiedTo = nextTaskOffset;
                Optional<TaskRunner.TaskStatus> ending = finished;
                Run after = store.update(id, current -> {
                    if (current.state() != RunState.RUNNING) {
                        return RunChange.keepState();
                    }
                    if (ending.isEmpty()) {
                        return RunChange.keepState().lines(lines, copiedTo);
                    }
                    TaskRunner.TaskStatus status = ending.get();
                    RunChange change = RunChange.to(finalState(status), status.stopReason()).lines(lines, copiedTo)
                            .audit(ended -> List.of(endEvent(ended)));
                    status.exitCode().forEach(change::exitCode);
                    status.artifact().forEach(change::artifact);
                    return change;
                });
                signals.changed();
                if (after.state().isFinal()) {
                    Telemetry.annotate(Map.of("portcullis.run_state", after.state().name(),
                            "portcullis.exit_code", after.exitCode().map(String::valueOf).orElse("")));
                    return Boolean.FALSE;
                }
                if (after.state() != RunState.RUNNING) {
                    return Boolean.FALSE;
                }
                if (after.cancelRequested()) {
                    maybeCancel();
                }
                if (streamEnd != null) {
                    return streamEnd;
                }
            }
            return Boolean.TRUE;
        }

        private AuditEvent endEvent(Run ended) {
            return audit.event(AuditAction.RUN_FINISHED, ended, actor, ended.state() == RunState.SUCCEEDED
                    ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE, ended.state().name(), "", Map.of(
                    "exit_code", ended.exitCode().map(String::valueOf).orElse(""),
                    "artifact_sha256", ended.artifact().map(a -> a.sha256().value()).orElse("")));
        }

        private void maybeCancel() {
            if (cancelSent) {
                return;
            }
            Optional<Run> run = store.find(id);
            if (run.isPresent() && run.get().cancelRequested()) {
                try {
                    tasks.cancel(id, run.get().stateReason().isEmpty() ? "cancelled" : run.get().stateReason());
                    cancelSent = true;
                } catch (RuntimeException e) {
                    log.atWarn().addKeyValue("run_id", id.value()).addKeyValue("error", e.getMessage()).log("run.cancel_retry");
                }
            }
        }
    }

    private static RunState finalState(TaskRunner.TaskStatus status) {
        return switch (status.state()) {
            case SUCCEEDED -> RunState.SUCCEEDED;
            case CANCELLED -> RunState.CANCELLED;
            case TIMED_OUT -> RunState.TIMED_OUT;
            default -> RunState.FAILED;
        };
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
        try {
            store.renew(owner, clock.instant().minusSeconds(1));
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("error", e.getMessage()).log("run.release_failed");
        }
    }
}
