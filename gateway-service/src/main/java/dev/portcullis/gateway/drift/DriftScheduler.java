package dev.portcullis.gateway.drift;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.DriftSchedule;
import dev.portcullis.catalog.DriftTarget;
import dev.portcullis.catalog.Repo;
import dev.portcullis.gateway.run.Actor;
import dev.portcullis.gateway.run.PlanSummary;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunService;
import dev.portcullis.gateway.run.RunSpec;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.telemetry.DurationHistogram;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the catalog's drift checks. Each {@link #round} keeps the {@link DriftStore} in step with
 * the catalog in force (new targets are first seen now, targets gone are dropped), records what
 * each finished check found, and submits the checks that are due: each through
 * {@link RunService#submitDriftCheck}, so a check is decided, locked and queued like any run.
 * Every replica runs rounds; a target is submitted by the one replica whose {@link DriftStore#claim}
 * the database let win, and never while its previous check is pending. When a check is next due is
 * {@link DriftSchedule}'s to say, from the instant this check started.
 *
 * <p>Rounds are not meant to overlap: one thread runs them. {@link #checkNow} may run on any thread
 * beside them: the claim in the store keeps a round and a check asked for apart. The state it
 * keeps is in the store; its fields are immutable, so it is thread-safe.
 */
public final class DriftScheduler {
    private static final Logger log = LoggerFactory.getLogger(DriftScheduler.class);
    private static final int MAX_REASON = 1024;
    /** Refusals that say "not now", not "never": the check stays due and is tried next round. */
    private static final Set<DomainException.Kind> RETRY_LATER = Set.of(DomainException.Kind.UNAVAILABLE,
            DomainException.Kind.EXHAUSTED);

    private final DriftStore store;
    private final CatalogSource catalog;
    private final RefHeads heads;
    private final RunService runs;
    private final DriftSettings settings;
    private final Clock clock;
    private final String replica;
    private final Actor scheduler;
    private final DriftAudit audit;
    private final DurationHistogram checkDurations;

    /**
     * @param replica this replica's name in the claims it takes (unique among running replicas,
     *     at most 64 characters)
     */
    public DriftScheduler(DriftStore store, CatalogSource catalog, RefHeads heads, RunService runs, DriftSettings settings,
            Clock clock, String replica) {
        this(store, catalog, heads, runs, settings, clock, replica, Telemetry.disabled("gateway"));
    }

    /**
     * As above, measuring: targets by state (read from the store at each collection, the same on
     * every replica) and the durations of the checks whose results this replica recorded.
     */
    public DriftScheduler(DriftStore store, CatalogSource catalog, RefHeads heads, RunService runs, DriftSettings settings,
            Clock clock, String replica, Telemetry telemetry) {
        this.store = requireNonNull(store, "store is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.heads = requireNonNull(heads, "heads is null");
        this.runs = requireNonNull(runs, "runs is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.replica = requireNonNull(replica, "replica is null");
        // the scheduler acts from inside the gateway: no network address, never an admin
        this.scheduler = new Actor(settings.scheduler(), false, "");
        this.audit = new DriftAudit(settings.scheduler(), clock);
        requireNonNull(telemetry, "telemetry is null");
        this.checkDurations = telemetry.durations("portcullis.gateway.drift.check.duration",
                "time from a drift check's submission to the end of its run, by the state it found");
        telemetry.gauge("portcullis.gateway.drift.targets", "{target}",
                "drift targets in the shared database by state (every replica reports the same)", this::targetsByState);
    }

    /** What one round did. */
    public record Round(int added, int removed, int recorded, List<RunId> submitted, int submitFailed) {
        public Round {
            submitted = List.copyOf(submitted);
        }
    }

    /**
     * One round: sync, record, submit. Returns without doing anything when the catalog cannot be
     * had. Blocks on the catalog source, the store, ref resolution and the policy service.
     *
     * @throws DomainException UNAVAILABLE when the store is
     */
    public Round round() {
        Optional<Catalog> inForce = catalog.current();
        if (inForce.isEmpty()) {
            return new Round(0, 0, 0, List.of(), 0);
        }
        Map<DriftTargetId, DriftTarget> targets = new LinkedHashMap<>();
        for (DriftTarget target : inForce.get().driftTargets()) {
            targets.put(DriftTargetId.of(target), target);
        }
        Instant now = clock.instant();
        int added = 0;
        int removed = 0;
        int recorded = 0;
        List<DriftRecord> stored = store.all();
        for (DriftRecord record : stored) {
            if (!targets.containsKey(record.id())) {
                store.remove(record.id());
                removed++;
            } else if (record.checkPending() && record(targets.get(record.id()), record)) {
                recorded++;
            }
        }
        Set<DriftTargetId> known = stored.stream().map(DriftRecord::id).collect(Collectors.toSet());
        for (Map.Entry<DriftTargetId, DriftTarget> target : targets.entrySet()) {
            if (!known.contains(target.getKey())
                    && store.add(target.getKey(), now, DriftSchedule.firstDue(target.getValue(), now))) {
                added++;
            }
        }
        int free = settings.maxConcurrentChecks() - store.pendingChecks();
        List<RunId> submitted = new ArrayList<>();
        int failed = 0;
        if (free > 0) {
            for (DriftRecord due : store.due(now, free)) {
                DriftTarget target = targets.get(due.id());
                if (target == null || !store.claim(due.id(), replica, now, now.plus(settings.claim()))) {
                    continue; // gone from the catalog since, or another replica has it
                }
                Attempt attempt = check(inForce.get(), target, due, now);
                if (attempt instanceof Attempt.Submitted done) {
                    submitted.add(done.run());
                } else if (attempt instanceof Attempt.Failed) {
                    failed++;
                }
            }
        }
        return new Round(added, removed, recorded, submitted, failed);
    }

    private Map<Map<String, String>, Long> targetsByState() {
        Map<Map<String, String>, Long> counts = new LinkedHashMap<>();
        for (DriftState state : DriftState.values()) {
            counts.put(Map.of("state", state.label()), 0L);
        }
        store.all().forEach(record -> counts.merge(Map.of("state", record.state().label()), 1L, Long::sum));
        return counts;
    }

    /** What became of a claimed check. */
    private sealed interface Attempt {
        record Submitted(RunId run) implements Attempt {}

        /** Recorded as a failed check; the next is due as after any check. */
        record Failed(DomainException cause) implements Attempt {}

        /** Not now: released, due again at once. */
        record Deferred(DomainException cause) implements Attempt {}
    }

    /**
     * What {@link #checkNow} did.
     *
     * @param run the check's run: the one submitted, or the one already pending
     * @param alreadyPending true when a check was pending and nothing was submitted
     */
    public record Requested(RunId run, boolean alreadyPending) {
        public Requested {
            requireNonNull(run, "run is null");
        }
    }

    /**
     * Submits a check of {@code id} now, whenever it is due, the way {@link #round} submits a due
     * one: claimed in the store (so no replica submits it meanwhile), under the scheduler identity,
     * through {@link RunService#submitDriftCheck}; the next check is due as after any check. While
     * a check of the target is pending nothing is submitted and that check's run is returned. Not
     * held to {@link DriftSettings#maxConcurrentChecks}: that bounds what the rounds start on their
     * own. Blocks on the catalog source, the store, ref resolution and the policy service.
     *
     * @throws DomainException NOT_FOUND ({@code DRIFT_TARGET_NOT_FOUND}) when the catalog in force
     *     has no such repo or environment; PRECONDITION ({@code DRIFT_NOT_SCHEDULED}) when no drift
     *     check of the repo lists the folder and environment; CONFLICT ({@code DRIFT_CHECK_CLAIMED}) when another
     *     replica is submitting its scheduled check this moment; UNAVAILABLE
     *     ({@code CATALOG_UNAVAILABLE}) when the catalog cannot be had; and the refusal of the check
     *     itself: a refusal that says "never" is also recorded as a failed check, one that says "not
     *     now" (UNAVAILABLE, EXHAUSTED) changes nothing
     */
    public Requested checkNow(DriftTargetId id) {
        Catalog inForce = catalog.current().orElseThrow(() -> new DomainException(DomainException.Kind.UNAVAILABLE,
                "CATALOG_UNAVAILABLE", "the catalog in force cannot be read from the policy service right now; retry",
                Map.of()));
        DriftTarget target = inForce.driftTargets().stream().filter(t -> DriftTargetId.of(t).equals(id)).findFirst()
                .orElseThrow(() -> notDeclared(inForce, id));
        Instant now = clock.instant();
        store.add(id, now, DriftSchedule.firstDue(target, now)); // a target no round has seen yet
        if (!store.claimNow(id, replica, now, now.plus(settings.claim()))) {
            DriftRecord held = store.find(id).orElseThrow(() -> claimed(id));
            if (held.checkPending()) {
                return new Requested(held.lastRun().orElseThrow(), true);
            }
            throw claimed(id);
        }
        // read under the claim: the due time that makes the request key is the one no other replica can change now
        DriftRecord claimed = store.find(id).orElseThrow(() -> claimed(id));
        Attempt attempt = check(inForce, target, claimed, now);
        if (attempt instanceof Attempt.Submitted done) {
            return new Requested(done.run(), false);
        } else if (attempt instanceof Attempt.Failed failed) {
            throw failed.cause();
        }
        throw ((Attempt.Deferred) attempt).cause();
    }

    /** NOT_FOUND for a repo or environment the catalog lacks; PRECONDITION for a target of both that no check lists. */
    private static DomainException notDeclared(Catalog inForce, DriftTargetId id) {
        Map<String, String> target = Map.of("repo", id.repo().value(), "folder", id.folder().value(), "environment",
                id.environment().value());
        if (inForce.repo(id.repo()).isEmpty() || inForce.environment(id.environment()).isEmpty()) {
            return new DomainException(DomainException.Kind.NOT_FOUND, "DRIFT_TARGET_NOT_FOUND", "the catalog in force has no "
                    + (inForce.repo(id.repo()).isEmpty() ? "repo " + id.repo() : "environment " + id.environment()), target);
        }
        return new DomainException(DomainException.Kind.PRECONDITION, "DRIFT_NOT_SCHEDULED", "no drift check of repo "
                + id.repo() + " in the catalog in force lists folder '" + id.folder() + "' in " + id.environment(), target);
    }

    private static DomainException claimed(DriftTargetId id) {
        return new DomainException(DomainException.Kind.CONFLICT, "DRIFT_CHECK_CLAIMED", "another gateway replica is "
                + "submitting the check of " + id + " this moment; retry to get its run", Map.of("repo", id.repo().value(),
                        "folder", id.folder().value(), "environment", id.environment().value()));
    }

    /** Submits the check of a target this replica claimed. */
    private Attempt check(Catalog inForce, DriftTarget target, DriftRecord due, Instant now) {
        DriftTargetId id = due.id();
        Instant next = DriftSchedule.nextDue(target, now);
        Repo repo = inForce.repo(target.repo()).orElseThrow(() -> new IllegalStateException(
                "the catalog declares a drift target of a repo it does not have"));
        CommitSha head;
        try {
            head = heads.head(repo.url(), target.ref());
        } catch (DomainException unresolved) {
            // the check itself failed: retrying every round would hammer the repository's host
            return failed(target, now, next, unresolved);
        }
        Run run;
        try {
            RunSpec spec = new RunSpec(target.repo(), head, target.ref(), target.folder(), target.environment(),
                    target.command(), Optional.empty());
            // the same target and due time make the same key: a replica taking over a claim that ran
            // out after the submit but before it was recorded gets the same run back, not a second one
            run = runs.submitDriftCheck(new RunService.Submission(spec, requestKey(id, due.nextDue()), "", traceId(id,
                    due.nextDue())), scheduler);
        } catch (DomainException refused) {
            if (RETRY_LATER.contains(refused.kind())) {
                log.atWarn().addKeyValue("target", id.toString()).addKeyValue("reason", refused.reason())
                        .log("drift.check_deferred");
                store.release(id, replica);
                return new Attempt.Deferred(refused);
            }
            return failed(target, now, next, refused);
        }
        if (run.state() == RunState.AWAITING_APPROVAL) {
            // submitDriftCheck refuses a check that would wait; a run found by its key cannot either
            throw new IllegalStateException("drift check " + run.id() + " waits for approval");
        }
        if (!store.submitted(id, replica, run.id(), now, next)) {
            log.atWarn().addKeyValue("target", id.toString()).addKeyValue("run_id", run.id().value())
                    .log("drift.claim_lost");
        }
        log.atInfo().addKeyValue("target", id.toString()).addKeyValue("run_id", run.id().value())
                .addKeyValue("commit_sha", run.spec().commit().value()).log("drift.check_submitted");
        return new Attempt.Submitted(run.id());
    }

    private Attempt failed(DriftTarget target, Instant start, Instant next, DomainException failure) {
        DriftTargetId id = DriftTargetId.of(target);
        store.submitFailed(id, replica, start, next, bounded(failure.reason() + ": " + failure.getMessage()),
                before -> audit.failed(target, Optional.empty(), failure.reason(), before.state(),
                        before.consecutiveFailures() + 1));
        log.atWarn().addKeyValue("target", id.toString()).addKeyValue("reason", failure.reason())
                .log("drift.check_not_submitted");
        return new Attempt.Failed(failure);
    }

    /** Records the result of a target's pending check when its run ended; true when this call recorded it. */
    private boolean record(DriftTarget target, DriftRecord record) {
        RunId runId = record.lastRun().orElseThrow();
        Optional<Run> run;
        try {
            run = Optional.of(runs.get(runId));
        } catch (DomainException e) {
            if (e.kind() != DomainException.Kind.NOT_FOUND) {
                throw e;
            }
            run = Optional.empty();
        }
        if (run.isPresent() && !run.get().state().isFinal()) {
            return false;
        }
        Optional<Run> ended = run;
        Result result = ended.map(DriftScheduler::resultOf)
                .orElse(new Result(DriftState.FAILING, "RUN_NOT_FOUND", "the check's run " + runId + " no longer exists"));
        Optional<DriftState> before = store.recordResult(record.id(), runId, result.state(), bounded(result.reason()),
                stored -> {
                    int failures = result.state() == DriftState.FAILING ? stored.consecutiveFailures() + 1 : 0;
                    return ended.isPresent() ? audit.resultOf(target, ended.get(), result, stored.state(), failures)
                            : audit.failed(target, ended, result.code(), stored.state(), failures);
                });
        if (before.isPresent() && ended.isPresent()) {
            checkDurations.record(Duration.between(ended.get().createdAt(), ended.get().updatedAt()),
                    Map.of("state", result.state().label()));
        }
        before.ifPresent(previous -> log.atInfo().addKeyValue("target", record.id().toString())
                .addKeyValue("run_id", runId.value()).addKeyValue("state", result.state().label())
                .addKeyValue("previous_state", previous.label()).log("drift.check_recorded"));
        return before.isPresent();
    }

    /**
     * What a check found, from its finished run.
     *
     * @param code why, as an UPPER_SNAKE code for the audit record (empty when in sync)
     * @param reason why, in words safe to show
     */
    record Result(DriftState state, String code, String reason) {}

    /**
     * A succeeded plan with changes or with resources changed outside Terraform is drift; one with
     * neither is in sync; anything else (denied, failed, cancelled, timed out, or no summary to
     * read) is a failed check.
     */
    static Result resultOf(Run run) {
        if (run.state() != RunState.SUCCEEDED) {
            return new Result(DriftState.FAILING, "RUN_" + run.state().name(), "the check's run ended " + run.state()
                    + (run.stateReason().isEmpty() ? "" : ": " + run.stateReason()));
        }
        Optional<PlanSummary> summary = run.planSummary();
        if (summary.isEmpty()) {
            return new Result(DriftState.FAILING, "PLAN_SUMMARY_MISSING",
                    "the check's run produced no plan summary to read drift from");
        }
        PlanSummary plan = summary.get();
        long drifted = plan.drift().size() + plan.driftNotListed();
        if (plan.hasChanges() || drifted > 0) {
            return new Result(DriftState.DRIFTED, "DRIFT_DETECTED", "the plan has changes: "
                    + (plan.changes().size() + plan.changesNotListed()) + " resource change(s), " + drifted
                    + " resource(s) changed outside Terraform");
        }
        return new Result(DriftState.IN_SYNC, "", "the plan has no changes");
    }

    private static String bounded(String reason) {
        return reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON - 1) + "…";
    }

    /** The request key of a target's check due at {@code due}: at most 128 characters, the same on every replica. */
    static String requestKey(DriftTargetId id, Instant due) {
        return "drift-" + sha256(id.repo().value() + "\n" + id.folder().value() + "\n" + id.environment().value() + "\n"
                + due).substring(0, 48);
    }

    /** A trace id for the check's run (32 hex), derived like its request key: the check has no caller's span. */
    private static String traceId(DriftTargetId id, Instant due) {
        return sha256("trace\n" + requestKey(id, due)).substring(0, 32);
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
