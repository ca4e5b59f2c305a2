package dev.portcullis.gateway.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.gateway.store.jdbc.JdbcRunStore;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.identity.Credential;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import dev.portcullis.runtime.testing.MutableClock;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Submitting, approving and cancelling runs: the rules, refusals and audit records. */
class RunServiceTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final Actor CI = new Actor(Runs.CI, false, "127.0.0.1:5000");
    private static final Actor ALICE = new Actor(new SpiffeId("spiffe://test.example/human/alice"), false, "127.0.0.1:5001");
    private static final Actor ADMIN = new Actor(new SpiffeId("spiffe://test.example/human/admin"), true, "127.0.0.1:5002");
    private static final Actor SCHEDULER = new Actor(new SpiffeId("spiffe://test.example/portcullis/drift-scheduler"), false, "");

    private HikariDataSource dataSource;
    private RunStore store;
    private final MutableClock clock = MutableClock.at(T0);
    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private final AtomicReference<Decision> decision = new AtomicReference<>(Runs.ALLOW);
    private final AtomicInteger policyCalls = new AtomicInteger();
    private final AtomicInteger announced = new AtomicInteger();
    private RunService runs;

    @BeforeEach
    void open() {
        TestDatabases.Settings db = TestDatabases.freshH2();
        dataSource = Databases.open("gateway", db.jdbcUrl(), db.user(), db.password(), db.schema(), 4);
        store = new JdbcRunStore(dataSource, clock, audit.table(clock));
        runs = service(5, 3);
    }

    private RunService service(int perMinute, int maxActive) {
        PolicyCheck policy = (caller, spec, plan, breakGlass, claims, traceId) -> {
            policyCalls.incrementAndGet();
            return decision.get();
        };
        TaskRunner noTasks = new TaskRunner() {
            @Override
            public TaskStatus start(TaskRequest request) {
                throw new AssertionError("the service never starts tasks; the driver does");
            }

            @Override
            public TaskStatus cancel(RunId run, String reason) {
                return new TaskStatus(TaskState.CANCELLED, List.of(), reason, List.of());
            }

            @Override
            public Subscription follow(RunId run, long fromOffset, Sink sink) {
                throw new AssertionError("not here");
            }
        };
        return new RunService(store, policy, noTasks, audit, run -> announced.incrementAndGet(), new RunSignals(),
                new RunSettings(Duration.ofHours(1), Duration.ofMinutes(10), perMinute, maxActive, Duration.ofSeconds(15),
                        Duration.ofMillis(100)), clock);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private Run submit(Actor actor, RunSpec spec, String key) {
        return runs.submit(new RunService.Submission(spec, key, "", TRACE), actor);
    }

    private static Decision approvals(int n) {
        return new Decision(true, Runs.ALLOW.reasons(), Runs.ALLOW.matchedRule(), n, Runs.ALLOW.catalogVersion(),
                Runs.ALLOW.argv(), Runs.ALLOW.secretGrants(), "", false, List.of(), Runs.ALLOW.repoUrl());
    }

    private List<AuditAction> actions() {
        return audit.events().stream().map(AuditEvent::action).toList();
    }

    @Test
    void anAllowedRunIsQueuedAndAuditedWithItsTraceId() {
        Run run = submit(CI, Runs.spec("stage/app", "stage", "plan"), "k1");

        assertEquals(RunState.QUEUED, run.state());
        assertEquals(List.of(AuditAction.RUN_SUBMITTED, AuditAction.POLICY_ALLOWED, AuditAction.RUN_QUEUED), actions());
        assertTrue(audit.events().stream().allMatch(e -> e.traceId().equals(TRACE) && e.resource().runId().equals(run.id().value())));
    }

    @Test
    void anIdentityTokenCallerMaySubmitOnlyTheTokensCommitAndRef() {
        Actor tokenCaller = new Actor(Runs.CI, false, "127.0.0.1:5003", new Credential.IdentityToken("github",
                new CommitSha("0123456789abcdef0123456789abcdef01234567"), new GitRef("refs/heads/main"), "jti-1",
                T0.plus(Duration.ofMinutes(10)), Map.of()));
        RunSpec bound = Runs.spec("stage/app", "stage", "plan");
        RunSpec otherCommit = new RunSpec(bound.repo(), new CommitSha("f".repeat(40)), bound.ref(), bound.folder(),
                bound.environment(), bound.command(), Optional.empty());
        RunSpec otherRef = new RunSpec(bound.repo(), bound.commit(), new GitRef("refs/heads/feature"), bound.folder(),
                bound.environment(), bound.command(), Optional.empty());

        Run run = submit(tokenCaller, bound, "k1");
        DomainException byCommit = assertThrows(DomainException.class, () -> submit(tokenCaller, otherCommit, "k2"));
        DomainException byRef = assertThrows(DomainException.class, () -> submit(tokenCaller, otherRef, "k3"));

        assertEquals(RunState.QUEUED, run.state());
        assertEquals("oidc:github", audit.events().get(0).attributes().get("authentication"));
        assertEquals("TOKEN_COMMIT_MISMATCH", byCommit.reason());
        assertEquals(DomainException.Kind.DENIED, byCommit.kind());
        assertEquals("TOKEN_COMMIT_MISMATCH", byRef.reason());
        assertEquals(1, policyCalls.get());
        assertTrue(audit.events().stream().filter(e -> e.reason().equals("TOKEN_COMMIT_MISMATCH"))
                .allMatch(e -> e.action() == AuditAction.RUN_SUBMITTED && e.actor().equals(Runs.CI.value())));
        assertEquals(2, audit.events().stream().filter(e -> e.reason().equals("TOKEN_COMMIT_MISMATCH")).count());
    }

    private static Actor tokenCaller(String jti) {
        return new Actor(Runs.CI, false, "127.0.0.1:5003", new Credential.IdentityToken("github",
                new CommitSha("0123456789abcdef0123456789abcdef01234567"), new GitRef("refs/heads/main"), jti,
                T0.plus(Duration.ofMinutes(10)), Map.of()));
    }

    private long refusals(String reason) {
        return audit.events().stream().filter(e -> e.action() == AuditAction.RUN_SUBMITTED && e.reason().equals(reason))
                .count();
    }

    @Test
    void oneTokenSubmitsAtMostFourRunsAndTheFifthIsRefusedAndAudited() {
        runs = service(100, 100);
        Actor caller = tokenCaller("jti-limit");
        RunSpec spec = Runs.spec("stage/app", "stage", "plan");
        for (int i = 1; i <= 4; i++) {
            submit(caller, spec, "k" + i);
        }

        DomainException refused = assertThrows(DomainException.class, () -> submit(caller, spec, "k5"));

        assertEquals("TOKEN_RUNS_EXHAUSTED", refused.reason());
        assertEquals(DomainException.Kind.DENIED, refused.kind());
        assertEquals("4", refused.metadata().get("max_runs_per_token"));
        assertEquals(1, refusals("TOKEN_RUNS_EXHAUSTED"));
        assertEquals(4, store.list(new RunStore.RunQuery("", "", java.util.Set.of(), "", 100, Long.MAX_VALUE)).size());
    }

    @Test
    void aRunRecordsHowItsCallerAuthenticatedAndWhichTokenSubmittedIt() {
        Run byToken = submit(tokenCaller("jti-recorded"), Runs.spec("stage/app", "stage", "plan"), "k1");
        Run byCertificate = submit(ALICE, Runs.spec("stage/app", "stage", "plan"), "k2");

        Run stored = store.find(byToken.id()).orElseThrow();
        assertEquals("oidc:github", stored.authentication());
        assertEquals(Optional.of(new TokenUse("github", "jti-recorded")), stored.tokenUse());
        assertEquals("mtls", store.find(byCertificate.id()).orElseThrow().authentication());
        assertEquals(Optional.empty(), store.find(byCertificate.id()).orElseThrow().tokenUse());
    }

    @Test
    void aRetryOfAnAcceptedRequestKeyReturnsTheRunWithoutCountingAgain() {
        runs = service(100, 100);
        Actor caller = tokenCaller("jti-retry");
        RunSpec spec = Runs.spec("stage/app", "stage", "plan");
        Run first = submit(caller, spec, "k1");
        for (int i = 0; i < 5; i++) {
            assertEquals(first.id(), submit(caller, spec, "k1").id());
        }

        for (int i = 2; i <= 4; i++) {
            submit(caller, spec, "k" + i);
        }

        assertEquals("TOKEN_RUNS_EXHAUSTED", assertThrows(DomainException.class, () -> submit(caller, spec, "k5")).reason());
        assertEquals(first.id(), submit(caller, spec, "k1").id());
    }

    @Test
    void twoTokensAreCountedApartAndCertificateCallersAreNotCounted() {
        runs = service(100, 100);
        RunSpec spec = Runs.spec("stage/app", "stage", "plan");
        for (int i = 1; i <= 4; i++) {
            submit(tokenCaller("jti-a"), spec, "a" + i);
        }

        for (int i = 1; i <= 4; i++) {
            submit(tokenCaller("jti-b"), spec, "b" + i);
        }
        for (int i = 1; i <= 6; i++) {
            submit(ALICE, spec, "c" + i);
        }

        assertEquals("TOKEN_RUNS_EXHAUSTED", assertThrows(DomainException.class,
                () -> submit(tokenCaller("jti-b"), spec, "b5")).reason());
        assertEquals(1, refusals("TOKEN_RUNS_EXHAUSTED"));
    }

    @Test
    void aTokenThatExpiredSinceItWasVerifiedSubmitsNothingAndIsAudited() {
        Actor caller = tokenCaller("jti-expired");

        clock.advance(Duration.ofMinutes(10));

        DomainException refused = assertThrows(DomainException.class,
                () -> submit(caller, Runs.spec("stage/app", "stage", "plan"), "k1"));
        assertEquals("TOKEN_EXPIRED", refused.reason());
        assertEquals(DomainException.Kind.DENIED, refused.kind());
        assertEquals(0, policyCalls.get());
        assertEquals(1, refusals("TOKEN_EXPIRED"));
    }

    @Test
    void aDeniedRunIsStoredDeniedWithEveryReason() {
        decision.set(new Decision(false, List.of(new Decision.Reason("REF_NOT_ALLOWED", "ref x", "ref"),
                new Decision.Reason("FOLDER_NOT_ALLOWED", "folder y", "folder")), "", 0, "a".repeat(64), List.of(), List.of(), "",
                false, List.of(), ""));

        Run run = submit(CI, Runs.spec("stage/app", "stage", "apply"), "k1");

        assertEquals(RunState.DENIED, run.state());
        assertTrue(run.stateReason().contains("REF_NOT_ALLOWED") && run.stateReason().contains("FOLDER_NOT_ALLOWED"));
        assertEquals(List.of(AuditAction.RUN_SUBMITTED, AuditAction.POLICY_DENIED), actions());
    }

    @Test
    void theSameRequestKeyReturnsTheSameRunWithoutAskingAgain() {
        Run first = submit(CI, Runs.spec("stage/app", "stage", "plan"), "job-7");
        Run again = submit(CI, Runs.spec("stage/app", "stage", "plan"), "job-7");

        assertEquals(first.id(), again.id());
        assertEquals(1, policyCalls.get());
        DomainException reused = assertThrows(DomainException.class, () -> submit(CI, Runs.spec("prod/app", "prod", "plan"), "job-7"));
        assertEquals("REQUEST_KEY_REUSED", reused.reason());
    }

    @Test
    void aRetriedSubmissionRecordsNothingMoreSinceItsEventsCommittedWithTheRun() {
        Run first = submit(CI, Runs.spec("stage/app", "stage", "plan"), "job-8");
        List<AuditEvent> recorded = List.copyOf(audit.events());

        Run again = submit(CI, Runs.spec("stage/app", "stage", "plan"), "job-8");

        assertEquals(first.id(), again.id());
        assertEquals(List.of(AuditAction.RUN_SUBMITTED, AuditAction.POLICY_ALLOWED, AuditAction.RUN_QUEUED),
                recorded.stream().map(AuditEvent::action).toList());
        assertEquals(recorded, audit.events());
    }

    @Test
    void anUnhealthyAuditOutboxRefusesNewRunsAndStoresNothing() {
        audit.healthy(false);

        DomainException refused = assertThrows(DomainException.class, () -> submit(CI, Runs.spec("stage/app", "stage", "plan"), "k"));

        assertEquals("AUDIT_UNAVAILABLE", refused.reason());
        assertEquals(DomainException.Kind.UNAVAILABLE, refused.kind());
        assertEquals(0, policyCalls.get());
        assertEquals(List.of(), store.list(new RunStore.RunQuery("", "", java.util.Set.of(), "", 10, Long.MAX_VALUE)));
    }

    @Test
    void anUnreachablePolicyServiceRefusesAndStoresNothing() {
        PolicyCheck down = (caller, spec, plan, breakGlass, claims, traceId) -> {
            throw new DomainException(DomainException.Kind.UNAVAILABLE, "POLICY_UNAVAILABLE", "down", java.util.Map.of());
        };
        RunService withoutPolicy = new RunService(store, down, new TwoReplicasNoTasks(), audit, run -> { }, new RunSignals(),
                new RunSettings(Duration.ofHours(1), Duration.ofMinutes(10), 5, 3, Duration.ofSeconds(15), Duration.ofMillis(100)),
                clock);

        DomainException refused = assertThrows(DomainException.class, () -> withoutPolicy.submit(
                new RunService.Submission(Runs.spec("stage/app", "stage", "plan"), "k", "", TRACE), CI));

        assertEquals("POLICY_UNAVAILABLE", refused.reason());
        assertEquals(List.of(), store.list(new RunStore.RunQuery("", "", java.util.Set.of(), "", 10, Long.MAX_VALUE)));
        // only the refusal is on the record: no run was made
        assertEquals(List.of(AuditAction.RUN_SUBMITTED), actions());
        assertEquals("POLICY_UNAVAILABLE", audit.events().get(0).reason());
        assertEquals("", audit.events().get(0).resource().runId());
    }

    @Test
    void submitsBeyondTheRateAndActiveLimitsAreRefusedAsResourceExhausted() {
        RunService limited = service(2, 100);
        limited.submit(new RunService.Submission(Runs.spec("a", "stage", "plan"), "r1", "", TRACE), CI);
        limited.submit(new RunService.Submission(Runs.spec("b", "stage", "plan"), "r2", "", TRACE), CI);

        DomainException rate = assertThrows(DomainException.class,
                () -> limited.submit(new RunService.Submission(Runs.spec("c", "stage", "plan"), "r3", "", TRACE), CI));
        assertEquals("RATE_LIMITED", rate.reason());
        assertEquals(DomainException.Kind.EXHAUSTED, rate.kind());
        clock.advance(Duration.ofSeconds(30));
        limited.submit(new RunService.Submission(Runs.spec("c", "stage", "plan"), "r3", "", TRACE), CI);

        RunService fewActive = service(100, 3);
        DomainException active = assertThrows(DomainException.class,
                () -> fewActive.submit(new RunService.Submission(Runs.spec("d", "stage", "plan"), "r4", "", TRACE), CI));
        assertEquals("TOO_MANY_ACTIVE_RUNS", active.reason());
    }

    @Test
    void breakGlassNeedsTheAdminRoleAndIsAudited() {
        RunService.Submission glass = new RunService.Submission(Runs.spec("prod/app", "prod", "plan"), "bg",
                "prod is down, INC-1234, approved by phone", TRACE);

        DomainException byCi = assertThrows(DomainException.class, () -> runs.submit(glass, CI));
        Run run = runs.submit(glass, ADMIN);

        assertEquals("ROLE_REQUIRED", byCi.reason());
        assertTrue(run.breakGlass());
        assertTrue(actions().contains(AuditAction.BREAKGLASS_USED));
    }

    @Test
    void approvalsFollowTheTwoPersonRuleAndExpire() {
        decision.set(approvals(2));
        Run run = submit(CI, Runs.spec("prod/app", "prod", "plan"), "k");
        assertEquals(RunState.AWAITING_APPROVAL, run.state());
        assertEquals(1, announced.get());

        Actor requesterAsApprover = new Actor(Runs.CI, false, "127.0.0.1:1");
        assertEquals("SELF_APPROVAL", assertThrows(DomainException.class,
                () -> runs.approve(run.id(), requesterAsApprover, "", "")).reason());
        assertEquals(RunState.AWAITING_APPROVAL, runs.approve(run.id(), ALICE, "", "first").state());
        assertEquals("RUN_STATE_CONFLICT", assertThrows(DomainException.class,
                () -> runs.approve(run.id(), ALICE, "", "again")).reason());
        assertEquals("PLAN_DIGEST_MISMATCH", assertThrows(DomainException.class,
                () -> runs.approve(run.id(), ADMIN, "f".repeat(64), "")).reason());
        clock.advance(Duration.ofHours(2));
        assertEquals("APPROVAL_EXPIRED", assertThrows(DomainException.class,
                () -> runs.approve(run.id(), ADMIN, "", "late")).reason());
        assertTrue(audit.events().stream().anyMatch(e -> e.action() == AuditAction.RUN_APPROVED && e.reason().equals("SELF_APPROVAL")));
    }

    @Test
    void anApplyMustNameASucceededPlanOfTheSameRepoFolderEnvironmentAndCommit() {
        Run plan = submit(CI, Runs.spec("prod/app", "prod", "plan"), "plan");
        RunSpec applySpec = new RunSpec(plan.spec().repo(), plan.spec().commit(), plan.spec().ref(), plan.spec().folder(),
                plan.spec().environment(), new dev.portcullis.runtime.request.CatalogName("apply"), Optional.of(plan.id()));

        assertEquals("PLAN_NOT_USABLE", assertThrows(DomainException.class, () -> submit(CI, applySpec, "apply-1")).reason());
        store.update(plan.id(), r -> RunChange.to(RunState.RUNNING, ""));
        store.update(plan.id(), r -> RunChange.to(RunState.SUCCEEDED, "").exitCode(0)
                .artifact(new PlanArtifact("file:///p", new Sha256Digest("c".repeat(64)), 10)));
        decision.set(approvals(1));
        Run apply = submit(CI, applySpec, "apply-2");

        assertEquals(RunState.AWAITING_APPROVAL, apply.state());
        assertEquals("PLAN_DIGEST_MISMATCH", assertThrows(DomainException.class,
                () -> runs.approve(apply.id(), ALICE, "", "")).reason());
        assertEquals(RunState.QUEUED, runs.approve(apply.id(), ALICE, "c".repeat(64), "ok").state());
        RunSpec otherFolder = new RunSpec(plan.spec().repo(), plan.spec().commit(), plan.spec().ref(),
                dev.portcullis.runtime.request.RepoFolder.parse("stage/app"), plan.spec().environment(), applySpec.command(),
                Optional.of(plan.id()));
        assertEquals("PLAN_NOT_USABLE", assertThrows(DomainException.class, () -> submit(CI, otherFolder, "apply-3")).reason());
    }

    @Test
    void aDriftCheckIsQueuedMarkedAndStoredMarked() {
        Run check = runs.submitDriftCheck(new RunService.Submission(Runs.spec("prod/app", "prod", "plan"), "drift-1", "",
                TRACE), SCHEDULER);

        assertEquals(RunState.QUEUED, check.state());
        assertTrue(check.drift());
        assertTrue(store.find(check.id()).orElseThrow().drift());
        assertEquals(false, submit(CI, Runs.spec("prod/app", "prod", "plan"), "plan").drift());
    }

    @Test
    void aDriftCheckTheCatalogWouldMakeWaitForApprovalIsRefusedNotLeftWaiting() {
        decision.set(approvals(1));

        DomainException refused = assertThrows(DomainException.class, () -> runs.submitDriftCheck(
                new RunService.Submission(Runs.spec("prod/app", "prod", "plan"), "drift-1", "", TRACE), SCHEDULER));

        assertEquals("DRIFT_CHECK_NEEDS_APPROVAL", refused.reason());
        assertTrue(store.list(new RunStore.RunQuery("", "", java.util.Set.of(), "", 10, Long.MAX_VALUE)).isEmpty());
    }

    @Test
    void anApplyNamingADriftCheckIsRefusedAndAudited() {
        Run check = runs.submitDriftCheck(new RunService.Submission(Runs.spec("prod/app", "prod", "plan"), "drift-1", "",
                TRACE), SCHEDULER);
        store.update(check.id(), r -> RunChange.to(RunState.RUNNING, ""));
        store.update(check.id(), r -> RunChange.to(RunState.SUCCEEDED, "").exitCode(0)
                .artifact(new PlanArtifact("file:///p", new Sha256Digest("c".repeat(64)), 10)));
        RunSpec applySpec = new RunSpec(check.spec().repo(), check.spec().commit(), check.spec().ref(), check.spec().folder(),
                check.spec().environment(), new dev.portcullis.runtime.request.CatalogName("apply"), Optional.of(check.id()));

        DomainException refused = assertThrows(DomainException.class, () -> submit(ADMIN, applySpec, "apply"));

        assertEquals("DRIFT_RUN_NOT_APPLICABLE", refused.reason());
        assertEquals(DomainException.Kind.PRECONDITION, refused.kind());
        AuditEvent audited = audit.events().get(audit.events().size() - 1);
        assertEquals(AuditAction.RUN_SUBMITTED, audited.action());
        assertEquals("DRIFT_RUN_NOT_APPLICABLE", audited.reason());
        assertEquals(ADMIN.identity().value(), audited.actor());
    }

    @Test
    void aCiIdentityCancelsOnlyItsOwnRuns() {
        Run run = submit(CI, Runs.spec("stage/app", "stage", "plan"), "k");
        Actor otherCi = new Actor(new SpiffeId("spiffe://test.example/ci/other"), false, "127.0.0.1:2");

        assertEquals("ROLE_REQUIRED", assertThrows(DomainException.class, () -> runs.cancel(run.id(), otherCi, "")).reason());
        Run cancelled = runs.cancel(run.id(), CI, "not needed");

        assertEquals(RunState.CANCELLED, cancelled.state());
        assertEquals("RUN_STATE_CONFLICT", assertThrows(DomainException.class, () -> runs.cancel(run.id(), ADMIN, "")).reason());
    }

    @Test
    void refusedSubmitsAreAuditedWithWhatWasAsked() {
        RunService.Submission glass = new RunService.Submission(Runs.spec("prod/app", "prod", "plan"), "bg",
                "prod is down, INC-1234, approved by phone", TRACE);

        assertThrows(DomainException.class, () -> runs.submit(glass, CI));

        AuditEvent refused = audit.events().get(0);
        assertEquals(AuditAction.RUN_SUBMITTED, refused.action());
        assertEquals(dev.portcullis.runtime.audit.AuditOutcome.DENIED, refused.outcome());
        assertEquals("ROLE_REQUIRED", refused.reason());
        assertEquals(Runs.CI.value(), refused.actor());
        assertEquals("prod/app", refused.attributes().get("folder"));
        assertEquals("bg", refused.attributes().get("request_key"));
    }

    @Test
    void refusedApprovalsRejectionsAndCancellationsAreAuditedEvenForRunsThatDoNotExist() {
        Run run = submit(CI, Runs.spec("stage/app", "stage", "plan"), "k");
        RunId missing = RunId.random();
        Actor otherCi = new Actor(new SpiffeId("spiffe://test.example/ci/other"), false, "127.0.0.1:2");
        int before = audit.events().size();

        assertThrows(DomainException.class, () -> runs.approve(missing, ALICE, "", ""));
        assertThrows(DomainException.class, () -> runs.reject(run.id(), ALICE, "no"));
        assertThrows(DomainException.class, () -> runs.cancel(run.id(), otherCi, ""));
        assertThrows(DomainException.class, () -> runs.cancel(missing, ADMIN, ""));

        assertEquals(List.of("run.approved RUN_NOT_FOUND " + missing.value(), "run.rejected RUN_STATE_CONFLICT " + run.id().value(),
                "run.cancelled ROLE_REQUIRED " + run.id().value(), "run.cancelled RUN_NOT_FOUND " + missing.value()),
                audit.events().subList(before, audit.events().size()).stream()
                        .map(e -> e.action().dottedName() + " " + e.reason() + " " + e.resource().runId()).toList());
    }

    /** A task runner for services that must not start tasks. */
    private static final class TwoReplicasNoTasks implements TaskRunner {
        @Override
        public TaskStatus start(TaskRequest request) {
            throw new AssertionError("no task may start");
        }

        @Override
        public TaskStatus cancel(RunId run, String reason) {
            throw new AssertionError("no task may be cancelled");
        }

        @Override
        public Subscription follow(RunId run, long fromOffset, Sink sink) {
            throw new AssertionError("no task may be followed");
        }
    }
}
