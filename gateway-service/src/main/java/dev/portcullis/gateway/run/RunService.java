package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.identity.Credential;
import dev.portcullis.runtime.identity.TokenClaims;
import dev.portcullis.runtime.request.RunId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run lifecycle as callers see it: submit, approve, reject, cancel, read and watch. Every
 * transition is stored together with its audit events (named by the run's trace id) before it is
 * acknowledged; every
 * refused submit, approval, rejection and cancellation is audited too (outcome DENIED, the
 * refusal's reason), whether or not the run exists. The
 * {@link RunDriver} moves runs on from QUEUED. Thread-safe.
 */
public final class RunService {
    private static final Logger log = LoggerFactory.getLogger(RunService.class);

    private final RunStore store;
    private final PolicyCheck policy;
    private final TaskRunner tasks;
    private final RunAudit audit;
    private final ApprovalAnnouncer announcer;
    private final RunSignals signals;
    private final RunSettings settings;
    private final SubmitLimiter limiter;
    private final Clock clock;

    public RunService(RunStore store, PolicyCheck policy, TaskRunner tasks, dev.portcullis.runtime.audit.AuditRecorder audit,
            ApprovalAnnouncer announcer, RunSignals signals, RunSettings settings, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.tasks = requireNonNull(tasks, "tasks is null");
        this.audit = new RunAudit(requireNonNull(audit, "audit is null"), clock);
        this.announcer = requireNonNull(announcer, "announcer is null");
        this.signals = requireNonNull(signals, "signals is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.limiter = new SubmitLimiter(settings.submitsPerMinute(), clock);
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** A run request as parsed from the caller. */
    public record Submission(RunSpec spec, String requestKey, String breakGlassJustification, String traceId,
            String traceSpanId) {
        public Submission {
            requireNonNull(spec, "spec is null");
            requireNonNull(requestKey, "requestKey is null");
            requireNonNull(breakGlassJustification, "breakGlassJustification is null");
            requireNonNull(traceId, "traceId is null");
            requireNonNull(traceSpanId, "traceSpanId is null");
        }

        /** A submission made outside any span. */
        public Submission(RunSpec spec, String requestKey, String breakGlassJustification, String traceId) {
            this(spec, requestKey, breakGlassJustification, traceId, "");
        }
    }

    /**
     * Submits a run: asks the policy service, stores the run in its decided state (DENIED,
     * AWAITING_APPROVAL or QUEUED) and audits it. A retry with the same request key returns the
     * same run.
     */
    public Run submit(Submission submission, Actor actor) {
        return submit(submission, actor, false);
    }

    /**
     * Submits a drift check: a plan run marked {@link Run#drift}, decided, locked and queued like
     * any run (and audited the same way), which never waits for approval and which no apply may
     * name. A decision that asks for approvals refuses the check (PRECONDITION,
     * {@code DRIFT_CHECK_NEEDS_APPROVAL}) rather than leave it waiting for a human. Blocks on the
     * policy service and the store.
     *
     * @throws IllegalArgumentException when the submission applies a plan
     */
    public Run submitDriftCheck(Submission submission, Actor scheduler) {
        if (submission.spec().planRun().isPresent()) {
            throw new IllegalArgumentException("a drift check plans; it never applies a plan");
        }
        return submit(submission, scheduler, true);
    }

    private Run submit(Submission submission, Actor actor, boolean drift) {
        try {
            return submitChecked(submission, actor, drift);
        } catch (DomainException refused) {
            audit.refused(AuditAction.RUN_SUBMITTED, submission.spec(), actor, refused.reason(),
                    Map.of("request_key", submission.requestKey(), "authentication", actor.credential().method()));
            throw refused;
        }
    }

    private Run submitChecked(Submission submission, Actor actor, boolean drift) {
        requireTokenBinding(submission.spec(), actor);
        boolean breakGlass = !submission.breakGlassJustification().isEmpty();
        if (breakGlass && !actor.admin()) {
            throw new DomainException(DomainException.Kind.DENIED, "ROLE_REQUIRED",
                    "break-glass needs the admin role", Map.of("role", "admin"));
        }
        Optional<Run> existing = store.findByRequestKey(actor.identity(), submission.requestKey());
        if (existing.isPresent()) {
            return sameRequest(existing.get(), submission); // its events committed with it; not counted again
        }
        requireTokenUnexpired(actor);
        if (!audit.healthy()) {
            throw new DomainException(DomainException.Kind.UNAVAILABLE, "AUDIT_UNAVAILABLE",
                    "new runs are refused while the gateway's audit outbox is unhealthy (audit service unreachable or "
                            + "spool full); retry when it has caught up", Map.of());
        }
        Duration wait = limiter.take(actor.identity());
        if (!wait.isZero()) {
            throw new DomainException(DomainException.Kind.EXHAUSTED, "RATE_LIMITED", "more than " + limiter.perMinute()
                    + " runs a minute from " + actor.identity() + "; retry in " + Math.max(1, wait.toSeconds()) + " s",
                    Map.of("limit_per_minute", Integer.toString(limiter.perMinute())));
        }
        if (store.activeRuns(actor.identity()) >= settings.maxActiveRuns()) {
            throw new DomainException(DomainException.Kind.EXHAUSTED, "TOO_MANY_ACTIVE_RUNS", actor.identity() + " already has "
                    + settings.maxActiveRuns() + " unfinished runs", Map.of("max_active_runs",
                            Integer.toString(settings.maxActiveRuns())));
        }
        List<PolicyCheck.PlanBinding> plan = planBinding(submission.spec());
        TokenClaims claims = actor.credential() instanceof Credential.IdentityToken token
                ? TokenClaims.fitting(token.claims())
                : TokenClaims.NONE;
        Decision decision = policy.evaluate(actor.identity(), submission.spec(), plan, breakGlass, claims, submission.traceId());
        if (drift && decision.allowed() && decision.requiredApprovals() > 0) {
            throw new DomainException(DomainException.Kind.PRECONDITION, "DRIFT_CHECK_NEEDS_APPROVAL", "the catalog asks "
                    + decision.requiredApprovals() + " approval(s) for " + submission.spec().command() + " in "
                    + submission.spec().environment() + "; a drift check never waits for approval",
                    Map.of("required_approvals", Integer.toString(decision.requiredApprovals())));
        }
        Instant now = clock.instant();
        RunState state;
        String reason;
        if (!decision.allowed()) {
            state = RunState.DENIED;
            reason = summary(decision);
        } else if (decision.requiredApprovals() > 0) {
            state = RunState.AWAITING_APPROVAL;
            reason = decision.requiredApprovals() + " approval(s) required";
        } else {
            state = RunState.QUEUED;
            reason = "";
        }
        Run.Builder builder = Run.builder()
                .id(RunId.random())
                .requestKey(submission.requestKey())
                .requester(actor.identity())
                .spec(submission.spec())
                .state(state)
                .stateReason(reason)
                .decision(decision)
                .traceId(submission.traceId())
                .traceSpanId(submission.traceSpanId())
                .breakGlassJustification(submission.breakGlassJustification())
                .claims(claims)
                .createdAt(now)
                .updatedAt(now)
                .drift(drift)
                .authentication(actor.credential().method());
        if (actor.credential() instanceof Credential.IdentityToken token) {
            builder.tokenUse(new TokenUse(token.issuer(), token.jti()));
        }
        if (state == RunState.AWAITING_APPROVAL) {
            builder.approvalDeadline(now.plus(settings.approvalTtl()));
        }
        Run run;
        try {
            requireTokenUnexpired(actor); // again: the policy service may have taken a while
            // counts the run against its token in the insert's transaction: TokenRunsExhaustedException
            run = store.create(builder.build(), settings.maxRunsPerToken(), created -> submissionEvents(created, actor));
        } catch (RequestKeyTakenException e) {
            return sameRequest(store.findByRequestKey(actor.identity(), submission.requestKey()).orElseThrow(), submission);
        }
        if (state == RunState.AWAITING_APPROVAL) {
            announcer.announce(run);
        }
        signals.changed();
        return run;
    }

    /**
     * A CI job that authenticated with its OIDC identity token may ask only for the commit and ref its
     * pipeline was started for: a stolen or replayed token cannot deploy anything else.
     */
    private static void requireTokenBinding(RunSpec spec, Actor actor) {
        if (actor.credential() instanceof Credential.IdentityToken token
                && (!token.commit().equals(spec.commit()) || !token.ref().equals(spec.ref()))) {
            throw new DomainException(DomainException.Kind.DENIED, "TOKEN_COMMIT_MISMATCH",
                    "an identity token caller may submit only the commit and ref its token was issued for",
                    Map.of("token_commit_sha", token.commit().value(), "token_ref", token.ref().value()));
        }
    }

    /**
     * A token accepted when the call began may have expired while the policy service was asked, or a
     * caller may hold on to a token and submit later: no run is ever submitted after its {@code exp}
     * (no clock skew allowed here: the verifier already granted it once, at the call's start).
     */
    private void requireTokenUnexpired(Actor actor) {
        if (actor.credential() instanceof Credential.IdentityToken token && !clock.instant().isBefore(token.expiresAt())) {
            throw new DomainException(DomainException.Kind.DENIED, "TOKEN_EXPIRED",
                    "the identity token expired; a new CI job brings a new token",
                    Map.of("token_expires_at", token.expiresAt().toString()));
        }
    }

    /** The events of a submission, stored with the run. */
    private List<AuditEvent> submissionEvents(Run run, Actor actor) {
        Decision decision = run.decision();
        String who = actor.identity().value();
        List<AuditEvent> events = new ArrayList<>();
        events.add(audit.event(AuditAction.RUN_SUBMITTED, run, who, AuditOutcome.SUCCESS, "", actor.sourceAddress(),
                Map.of("request_key", run.requestKey(), "authentication", actor.credential().method())));
        Map<String, String> decided = Map.of("catalog_version", decision.catalogVersion(), "rule", decision.matchedRule(),
                "reasons", decision.reasonCodes());
        if (decision.allowed()) {
            events.add(audit.event(AuditAction.POLICY_ALLOWED, run, who, AuditOutcome.SUCCESS, "", actor.sourceAddress(),
                    decided));
        } else {
            events.add(audit.event(AuditAction.POLICY_DENIED, run, who, AuditOutcome.DENIED, "POLICY_DENIED",
                    actor.sourceAddress(), decided));
        }
        if (run.breakGlass()) {
            events.add(audit.event(AuditAction.BREAKGLASS_USED, run, who, decision.allowed() ? AuditOutcome.SUCCESS
                    : AuditOutcome.DENIED, "", actor.sourceAddress(), Map.of("justification", run.breakGlassJustification())));
        }
        if (decision.allowed() && decision.requiredApprovals() > 0) {
            events.add(audit.event(AuditAction.RUN_AWAITING_APPROVAL, run, who, AuditOutcome.SUCCESS, "",
                    actor.sourceAddress(), Map.of("required_approvals", Integer.toString(decision.requiredApprovals()))));
        } else if (decision.allowed()) {
            events.add(audit.event(AuditAction.RUN_QUEUED, run, who, AuditOutcome.SUCCESS, "", actor.sourceAddress(),
                    Map.of()));
        }
        return events;
    }

    private static Run sameRequest(Run existing, Submission submission) {
        if (!existing.spec().equals(submission.spec())
                || !existing.breakGlassJustification().equals(submission.breakGlassJustification())) {
            throw new DomainException(DomainException.Kind.EXISTS, "REQUEST_KEY_REUSED", "request key '"
                    + submission.requestKey() + "' was used for a different run (" + existing.id() + ")",
                    Map.of("run_id", existing.id().value()));
        }
        return existing;
    }

    /** For an apply: the plan run it applies, checked to be usable, as the policy service wants it. */
    private List<PolicyCheck.PlanBinding> planBinding(RunSpec spec) {
        if (spec.planRun().isEmpty()) {
            return List.of();
        }
        RunId planId = spec.planRun().get();
        Run plan = store.find(planId).orElseThrow(() -> notUsable(planId, "no run " + planId + " exists"));
        if (plan.drift()) {
            // a drift check's plan is evidence of what changed outside Portcullis, made under the
            // scheduler's identity: applying it would let anyone deploy a plan nobody asked for
            throw new DomainException(DomainException.Kind.PRECONDITION, "DRIFT_RUN_NOT_APPLICABLE", "run " + planId
                    + " is a drift check; its plan can never be applied: plan the change in a run of your own",
                    Map.of("plan_run_id", planId.value()));
        }
        if (plan.state() != RunState.SUCCEEDED) {
            throw notUsable(planId, "plan run " + planId + " is " + plan.state() + ", not SUCCEEDED");
        }
        PlanArtifact artifact = plan.artifact().orElseThrow(() -> notUsable(planId, "plan run " + planId
                + " produced no plan artifact"));
        RunSpec planned = plan.spec();
        if (!planned.repo().equals(spec.repo()) || !planned.folder().equals(spec.folder())
                || !planned.environment().equals(spec.environment())) {
            throw notUsable(planId, "plan run " + planId + " planned " + planned.repo() + " folder '" + planned.folder()
                    + "' in " + planned.environment() + ", not this repo, folder and environment");
        }
        if (!planned.commit().equals(spec.commit())) {
            throw notUsable(planId, "plan run " + planId + " planned commit " + planned.commit() + ", not " + spec.commit());
        }
        return List.of(PolicyCheck.PlanBinding.of(plan, artifact));
    }

    private static DomainException notUsable(RunId plan, String message) {
        return new DomainException(DomainException.Kind.PRECONDITION, "PLAN_NOT_USABLE", message,
                Map.of("plan_run_id", plan.value()));
    }

    static String summary(Decision decision) {
        return String.join("; ", decision.reasons().stream().map(r -> r.code() + ": " + r.message()).toList());
    }

    public Run get(RunId id) {
        return store.find(id).orElseThrow(() -> notFound(id));
    }

    public List<Run> list(RunStore.RunQuery query) {
        return store.list(query);
    }

    /**
     * Approves a run awaiting approval. The requester never counts; for an apply the approval
     * names the digest of the plan the approver reviewed. A person approving through the web console
     * must pass the step-up ({@link LoginStepUp}: {@code LOGIN_TOO_OLD}, {@code MFA_REQUIRED}); every
     * refusal is audited.
     */
    public Run approve(RunId id, Actor approver, String planDigest, String comment) {
        Run before;
        try {
            before = get(id);
        } catch (DomainException refused) {
            audit.refused(AuditAction.RUN_APPROVED, id, approver, refused.reason());
            throw refused;
        }
        Optional<PlanArtifact> plan = planOf(before);
        Optional<PlanSummary> summary = planSummaryOf(before);
        Run after;
        try {
            LoginStepUp.require(approver, clock.instant());
            after = store.update(id, run -> {
                requireAwaitingApproval(run);
                if (run.requester().equals(approver.identity())) {
                    throw new DomainException(DomainException.Kind.DENIED, "SELF_APPROVAL",
                            "the requester of a run can never approve it", Map.of());
                }
                if (run.approvalDeadline().map(deadline -> !clock.instant().isBefore(deadline)).orElse(false)) {
                    throw new DomainException(DomainException.Kind.PRECONDITION, "APPROVAL_EXPIRED",
                            "run " + id + " stopped accepting approvals at " + run.approvalDeadline().get(), Map.of());
                }
                if (run.approvals().stream().anyMatch(a -> a.approver().equals(approver.identity()))) {
                    throw new DomainException(DomainException.Kind.PRECONDITION, "RUN_STATE_CONFLICT",
                            approver.identity() + " already approved run " + id, Map.of());
                }
                String expected = plan.map(p -> p.sha256().value()).orElse("");
                if (!expected.equals(planDigest)) {
                    throw new DomainException(DomainException.Kind.PRECONDITION, "PLAN_DIGEST_MISMATCH", expected.isEmpty()
                            ? "run " + id + " applies no plan; approve it without a plan digest"
                            : "the plan digest approved does not match the plan this run applies (" + expected + ")",
                            Map.of("expected_digest", expected));
                }
                Approval approval = new Approval(approver.identity(), clock.instant(), planDigest, comment);
                int given = run.approvals().size() + 1;
                RunChange change = given >= run.decision().requiredApprovals()
                        ? RunChange.to(RunState.QUEUED, "approved by " + given + " of " + run.decision().requiredApprovals())
                        : RunChange.keepState();
                return change.approval(approval).audit(approved -> approvalEvents(approved, approver, planDigest, summary));
            });
        } catch (DomainException refused) {
            audit.refused(AuditAction.RUN_APPROVED, before, approver, refused.reason());
            throw refused;
        }
        signals.changed();
        return after;
    }

    private List<AuditEvent> approvalEvents(Run approved, Actor approver, String planDigest, Optional<PlanSummary> summary) {
        String who = approver.identity().value();
        List<AuditEvent> events = new ArrayList<>();
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("plan_digest", planDigest);
        attributes.put("approvals", approved.approvals().size() + "/" + approved.decision().requiredApprovals());
        attributes.put("authentication", approver.credential().method());
        // what the approver approved, as counts: never a name or a value
        summary.ifPresent(s -> attributes.putAll(s.auditAttributes()));
        events.add(audit.event(AuditAction.RUN_APPROVED, approved, who, AuditOutcome.SUCCESS, "", approver.sourceAddress(),
                attributes));
        if (approved.state() == RunState.QUEUED) {
            events.add(audit.event(AuditAction.RUN_QUEUED, approved, who, approver.sourceAddress()));
        }
        return events;
    }

    private static void requireAwaitingApproval(Run run) {
        if (run.state() != RunState.AWAITING_APPROVAL) {
            throw new DomainException(DomainException.Kind.PRECONDITION, "RUN_STATE_CONFLICT",
                    "run " + run.id() + " is " + run.state() + ", not awaiting approval", Map.of("state", run.state().name()));
        }
    }

    /** The plan artifact an apply applies (the plan run's), or empty for runs without a plan. */
    public Optional<PlanArtifact> planOf(Run run) {
        return run.spec().planRun().flatMap(store::find).flatMap(Run::artifact);
    }

    /**
     * The plan summary an approver reads for {@code run}: a plan run's own, an apply's plan run's;
     * empty when there is none (the plan command declares no {@code summary:}).
     */
    public Optional<PlanSummary> planSummaryOf(Run run) {
        if (run.spec().planRun().isEmpty()) {
            return run.planSummary();
        }
        return run.spec().planRun().flatMap(store::find).flatMap(Run::planSummary);
    }

    /** Rejects a run awaiting approval; it ends REJECTED. A person rejecting through the console passes the same step-up. */
    public Run reject(RunId id, Actor approver, String reason) {
        Run after;
        try {
            LoginStepUp.require(approver, clock.instant());
            after = store.update(id, run -> {
                requireAwaitingApproval(run);
                return RunChange.to(RunState.REJECTED, "rejected by " + approver.identity() + ": " + reason)
                        .audit(rejected -> List.of(audit.event(AuditAction.RUN_REJECTED, rejected,
                                approver.identity().value(), AuditOutcome.SUCCESS, "", approver.sourceAddress(),
                                Map.of("reason", reason, "authentication", approver.credential().method()))));
            });
        } catch (DomainException refused) {
            audit.refused(AuditAction.RUN_REJECTED, id, approver, refused.reason());
            throw refused;
        }
        signals.changed();
        return after;
    }

    /**
     * Cancels a run that has not finished. A run not yet running ends CANCELLED at once; a
     * running task is asked to stop and the run ends when it has (with its full log).
     */
    public Run cancel(RunId id, Actor actor, String reason) {
        String why = "cancelled by " + actor.identity() + (reason.isEmpty() ? "" : ": " + reason);
        Run after;
        try {
            Run before = get(id);
            if (!actor.admin() && !before.requester().equals(actor.identity())) {
                throw new DomainException(DomainException.Kind.DENIED, "ROLE_REQUIRED",
                        "a CI identity may cancel only its own runs; cancelling others' runs needs the admin role",
                        Map.of("role", "admin"));
            }
            after = store.update(id, run -> {
                if (run.state().isFinal()) {
                    throw new DomainException(DomainException.Kind.PRECONDITION, "RUN_STATE_CONFLICT",
                            "run " + id + " already ended " + run.state(), Map.of("state", run.state().name()));
                }
                RunChange change;
                if (run.state() == RunState.RUNNING) {
                    change = run.cancelRequested() ? RunChange.keepState() : RunChange.keepState().cancelRequested();
                } else {
                    change = RunChange.to(RunState.CANCELLED, why);
                }
                return change.audit(cancelled -> List.of(audit.event(AuditAction.RUN_CANCELLED, cancelled,
                        actor.identity().value(), AuditOutcome.SUCCESS, "", actor.sourceAddress(), Map.of("reason", reason))));
            });
        } catch (DomainException refused) {
            audit.refused(AuditAction.RUN_CANCELLED, id, actor, refused.reason());
            throw refused;
        }
        if (after.state() == RunState.RUNNING || after.state() == RunState.QUEUED) {
            try {
                tasks.cancel(id, why);
            } catch (RuntimeException e) {
                // the driver asks again while the run is marked; the task's end ends the run
                log.atWarn().addKeyValue("run_id", id.value()).addKeyValue("error", e.getMessage()).log("run.cancel_deferred");
            }
        }
        signals.changed();
        return after;
    }

    /** Up to {@code max} events of the run from {@code fromOffset}. */
    public List<RunEvent> events(RunId id, long fromOffset, int max) {
        return store.events(id, fromOffset, max);
    }

    /** Waits until some run may have changed (or {@code max} passed). */
    public void awaitChange(long seen, Duration max) throws InterruptedException {
        signals.await(seen, max);
    }

    /** The change counter to pass to {@link #awaitChange}. */
    public long changeVersion() {
        return signals.version();
    }

    private static DomainException notFound(RunId id) {
        return new DomainException(DomainException.Kind.NOT_FOUND, "RUN_NOT_FOUND", "no run " + id, Map.of("run_id", id.value()));
    }
}
