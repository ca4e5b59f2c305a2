package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Moves queued runs on: claims the unattended driven runs, takes the (repo, folder, environment)
 * lock for the first in line, takes the decision again, starts the task and marks the run
 * RUNNING; then, as for running runs taken over from a replica that died, hands it to the
 * {@link TaskLogCopier}. Every write is fenced by the run's lease: a dispatch that finds the run
 * taken over stops without writing, cancelling or following anything. Called from the driver's
 * loop thread only.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final int BATCH = 500;
    /** How often a run whose task will not start tells its watchers why, at most. */
    static final Duration TELL_WAITING_EVERY = Duration.ofMinutes(1);

    private final RunStore store;
    private final PolicyCheck policy;
    private final TaskRunner tasks;
    private final RunAudit audit;
    private final RunSignals signals;
    private final Duration taskTimeout;
    private final Clock clock;
    private final String actor;
    private final Telemetry telemetry;
    private final LeaseKeeper leases;
    private final RunEnding ending;
    private final TaskLogCopier copier;
    private final BooleanSupplier closed;
    /** When each queued run whose task would not start last told its watchers why. Driver thread only. */
    private final Map<RunId, Instant> waitingTold = new HashMap<>();

    Dispatcher(RunStore store, PolicyCheck policy, TaskRunner tasks, RunAudit audit, RunSignals signals, Duration taskTimeout,
            Clock clock, String actor, Telemetry telemetry, LeaseKeeper leases, RunEnding ending, TaskLogCopier copier,
            BooleanSupplier closed) {
        this.store = requireNonNull(store, "store is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.tasks = requireNonNull(tasks, "tasks is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.signals = requireNonNull(signals, "signals is null");
        this.taskTimeout = requireNonNull(taskTimeout, "taskTimeout is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.actor = requireNonNull(actor, "actor is null");
        this.telemetry = requireNonNull(telemetry, "telemetry is null");
        this.leases = requireNonNull(leases, "leases is null");
        this.ending = requireNonNull(ending, "ending is null");
        this.copier = requireNonNull(copier, "copier is null");
        this.closed = requireNonNull(closed, "closed is null");
    }

    /** One round over the unattended driven runs, oldest first. */
    void drive() {
        Instant now = clock.instant();
        List<Run> due = leases.unattended(RunState.where(RunState::isDriven), now, BATCH);
        // a run that left the queue since, or that another replica drives now, has nothing more to tell
        waitingTold.keySet().retainAll(due.stream().map(Run::id).collect(Collectors.toSet()));
        Set<String> lockKeysTried = new HashSet<>();
        for (Run run : due) {
            if (closed.getAsBoolean()) {
                return;
            }
            if (copier.isFollowing(run.id())) {
                continue;
            }
            if (!copier.hasCapacity()) {
                return; // every follower busy: claim nothing more, so other replicas take these runs
            }
            if (run.state() == RunState.QUEUED && !lockKeysTried.add(run.spec().lockKey())) {
                continue; // only the first in line for a lock may take it
            }
            if (!leases.claim(run, now)) {
                continue;
            }
            try (MDC.MDCCloseable ignored = MDC.putCloseable("run_id", run.id().value())) {
                if (run.state() == RunState.QUEUED) {
                    telemetry.inTrace(run.traceId(), run.traceSpanId(), "run.dispatch",
                            Map.of("portcullis.run_id", run.id().value()), () -> dispatch(run));
                } else {
                    copier.follow(run); // taken over, after a restart or from a replica that died
                }
            } catch (RunLeaseLostException e) {
                // another replica drives the run now: it is its to start, nothing of ours is written
                log.atInfo().addKeyValue("run_id", run.id().value()).log("run.lease_lost");
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
                ending.end(run, RunState.DENIED, "PLAN_NOT_USABLE: the plan run " + run.spec().planRun().get()
                        + " has no artifact", AuditAction.POLICY_DENIED, AuditOutcome.DENIED);
                return;
            }
            // the summary goes along again: plan rules are evaluated anew when the apply leaves the queue
            plan = List.of(PolicyCheck.PlanBinding.of(planRun.get(), artifact.get()));
        }
        Decision decision = policy.evaluate(run.requester(), run.spec(), plan, run.breakGlass(), run.claims(), run.traceId());
        Map<String, String> decided = Map.of("catalog_version", decision.catalogVersion(), "rule", decision.matchedRule(),
                "reasons", decision.reasonCodes(), "when", "dequeue");
        if (!decision.allowed()) {
            leases.update(run.id(), current -> current.state() == RunState.QUEUED
                    ? RunChange.to(RunState.DENIED, "denied when leaving the queue: " + RunService.summary(decision))
                            .decision(decision).audit(denied -> List.of(audit.event(AuditAction.POLICY_DENIED, denied, actor,
                                    AuditOutcome.DENIED, "POLICY_DENIED", "", decided)))
                    : RunChange.keepState());
            signals.changed();
            return;
        }
        if (decision.requiredApprovals() > run.approvals().size()) {
            leases.update(run.id(), current -> current.state() == RunState.QUEUED
                    ? RunChange.to(RunState.DENIED, "APPROVALS_REQUIRED: the catalog now requires "
                            + decision.requiredApprovals() + " approval(s) and the run has " + current.approvals().size()
                            + "; submit it again").decision(decision).audit(denied -> List.of(audit.event(
                                    AuditAction.POLICY_DENIED, denied, actor, AuditOutcome.DENIED, "APPROVALS_REQUIRED", "",
                                    decided)))
                    : RunChange.keepState());
            signals.changed();
            return;
        }
        if (closed.getAsBoolean()) {
            return; // closed while deciding: the run keeps its place for the next driver, no task started
        }
        TaskRunner.TaskRequest request = taskRequest(run, decision, artifact);
        try {
            tasks.start(request);
        } catch (DomainException e) {
            if (e.kind() == DomainException.Kind.UNAVAILABLE) {
                log.atWarn().addKeyValue("run_id", run.id().value()).addKeyValue("error", e.getMessage()).log("run.start_deferred");
                tellWaiting(run, e);
                return; // keeps the lock and its place; retried on the next round
            }
            ending.end(run, RunState.FAILED, e.getMessage(), AuditAction.RUN_FINISHED, AuditOutcome.FAILURE);
            return;
        }
        Run running;
        try {
            running = leases.update(run.id(), current -> RunChange.to(RunState.RUNNING, "").decision(decision)
                    .audit(started -> List.of(
                            audit.event(AuditAction.POLICY_ALLOWED, started, actor, AuditOutcome.SUCCESS, "", "", decided),
                            audit.event(AuditAction.RUN_STARTED, started, actor, AuditOutcome.SUCCESS, "", "",
                                    Map.of("catalog_version", decision.catalogVersion())))));
        } catch (RunLeaseLostException e) {
            if (store.find(run.id()).map(ended -> ended.state().isFinal()).orElse(true)) {
                // cancelled while the task was starting, which let go of the lease: nobody else
                // drives a run that ended, so the task is still this dispatch's to stop
                cancelQuietly(run.id(), "the run ended before its task started");
            } else {
                // taken over while the task was starting: the task (one per run id) is the new
                // driver's now, so it is neither cancelled nor followed here
                log.atInfo().addKeyValue("run_id", run.id().value()).log("run.lease_lost");
            }
            return;
        } catch (DomainException e) {
            // cancelled (or otherwise ended) while the task was starting: stop the task
            cancelQuietly(run.id(), "the run ended before its task started");
            return;
        }
        waitingTold.remove(run.id());
        signals.changed();
        copier.follow(running);
    }

    /**
     * Puts why the task does not start into the run's log, where whoever watches the run reads it:
     * at the first refusal, then at most every {@link #TELL_WAITING_EVERY}. A queued run otherwise
     * shows nothing while it waits, however long the executor keeps refusing.
     */
    private void tellWaiting(Run run, DomainException why) {
        Instant now = clock.instant();
        Instant told = waitingTold.get(run.id());
        if (told != null && Duration.between(told, now).compareTo(TELL_WAITING_EVERY) < 0) {
            return;
        }
        RunChange.Line line = new RunChange.Line(now, RunEvent.Stream.SYSTEM,
                "portcullis: the task cannot start yet: " + why.getMessage() + "; the run keeps its place and retries", false);
        try {
            leases.update(run.id(), current -> current.state() == RunState.QUEUED
                    ? RunChange.keepState().lines(List.of(line), current.taskOffset())
                    : RunChange.keepState());
            waitingTold.put(run.id(), now); // only once told: a refused write is retried next round
            signals.changed();
        } catch (DomainException | RunLeaseLostException e) {
            log.atWarn().addKeyValue("run_id", run.id().value()).addKeyValue("error", e.getMessage()).log("run.wait_untold");
        }
    }

    /** What the executor runs: the decision's steps and environment, its own timeout or the configured default. */
    TaskRunner.TaskRequest taskRequest(Run run, Decision decision, Optional<PlanArtifact> artifact) {
        return new TaskRunner.TaskRequest(run.id(), decision.repoUrl(), run.spec().commit(), run.spec().folder(),
                run.spec().environment().value(), decision.steps(), decision.env(), decision.secretGrants(),
                artifact.map(List::of).orElse(List.of()), decision.producesArtifact(), decision.planSummaryTool(),
                decision.timeout().orElse(taskTimeout), run.traceId());
    }

    private void cancelQuietly(RunId id, String reason) {
        try {
            tasks.cancel(id, reason);
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("run_id", id.value()).addKeyValue("error", e.getMessage()).log("run.cancel_failed");
        }
    }
}
