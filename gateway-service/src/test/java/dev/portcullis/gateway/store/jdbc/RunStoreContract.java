package dev.portcullis.gateway.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.gateway.run.Approval;
import dev.portcullis.gateway.run.PlanArtifact;
import dev.portcullis.gateway.run.RequestKeyTakenException;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunChange;
import dev.portcullis.gateway.run.RunEvent;
import dev.portcullis.gateway.run.RunLeaseLostException;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.gateway.run.RunStore;
import dev.portcullis.gateway.run.Runs;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.TokenClaims;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import dev.portcullis.runtime.testing.MutableClock;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one contract every RunStore meets, run against H2 and PostgreSQL. */
abstract class RunStoreContract {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    protected TestDatabases.Settings db;
    protected HikariDataSource dataSource;
    protected MutableClock clock;
    protected final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    protected JdbcRunStore store;

    protected abstract TestDatabases.Settings database();

    @BeforeEach
    void open() {
        db = database();
        dataSource = Databases.open("gateway", db.jdbcUrl(), db.user(), db.password(), db.schema(), 8);
        clock = MutableClock.at(T0);
        store = new JdbcRunStore(dataSource, clock, audit.table(clock));
    }

    @AfterEach
    void close() {
        if (db == null) { // PostgreSQL was unreachable: the test skipped before opening anything
            return;
        }
        dataSource.close();
        TestDatabases.drop(db);
    }

    @Test
    void aDriftCheckReadsBackMarkedAndAnyOtherRunUnmarked() {
        Run check = store.create(Runs.queued(Runs.spec("prod/app", "prod", "plan"), T0).toBuilder().drift(true).build(),
                Runs.NO_AUDIT);
        Run plain = store.create(Runs.queued(Runs.spec("prod/app", "prod", "plan"), T0), Runs.NO_AUDIT);

        assertTrue(store.find(check.id()).orElseThrow().drift());
        assertFalse(store.find(plain.id()).orElseThrow().drift());
        assertEquals(List.of(check.id()), store.list(new RunStore.RunQuery("", "", Set.of(), "", 10, Long.MAX_VALUE,
                RunStore.RunQuery.Drift.ONLY)).stream().map(Run::id).toList());
        assertEquals(List.of(plain.id()), store.list(new RunStore.RunQuery("", "", Set.of(), "", 10, Long.MAX_VALUE,
                RunStore.RunQuery.Drift.EXCLUDED)).stream().map(Run::id).toList());
        assertEquals(2, store.list(new RunStore.RunQuery("", "", Set.of(), "", 10, Long.MAX_VALUE)).size());
    }

    @Test
    void aCreatedRunReadsBackWithItsFirstStateEventAtOffsetZero() {
        Run created = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);

        Run found = store.find(created.id()).orElseThrow();
        assertEquals(created.spec(), found.spec());
        assertEquals(Runs.ALLOW, found.decision());
        assertEquals(RunState.QUEUED, found.state());
        assertEquals(1, found.nextOffset());
        List<RunEvent> events = store.events(created.id(), 0, 10);
        assertEquals(1, events.size());
        assertEquals(RunState.QUEUED, ((RunEvent.StateChanged) events.get(0)).state());
    }

    @Test
    void aTokenCallersClaimsReadBackUnchangedAcrossUpdatesAndACertificateCallersAreNone() {
        Map<String, String> claims = Map.of("ref_protected", "true", "environment", "prod",
                "job_workflow_ref", "acme/deploy/.github/workflows/apply.yml@refs/heads/main",
                "workflow", "Déploiement \"prod\" \\ 🚀", "empty", "");
        Run withToken = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0).toBuilder()
                .claims(new TokenClaims(claims)).build(), Runs.NO_AUDIT);
        Run withCertificate = store.create(Runs.queued(Runs.spec("stage/other", "stage", "plan"), T0), Runs.NO_AUDIT);

        store.update(withToken.id(), current -> RunChange.to(RunState.RUNNING, ""));

        assertEquals(claims, store.find(withToken.id()).orElseThrow().claims().values());
        assertEquals(TokenClaims.NONE, store.find(withCertificate.id()).orElseThrow().claims());
    }

    @Test
    void aRequestKeyIsUsedOncePerRequester() {
        Run first = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        Run again = Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0).toBuilder().requestKey(first.requestKey()).build();

        assertThrows(RequestKeyTakenException.class, () -> store.create(again, Runs.NO_AUDIT));
        assertEquals(first.id(), store.findByRequestKey(Runs.CI, first.requestKey()).orElseThrow().id());
        Run otherCaller = again.toBuilder().requester(new SpiffeId("spiffe://test.example/ci/other")).build();
        assertEquals(otherCaller.id(), store.create(otherCaller, Runs.NO_AUDIT).id());
    }

    @Test
    void linesAndAStateChangeAreAppendedAtDenseOffsetsInOneChange() {
        Run run = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.update(run.id(), current -> RunChange.to(RunState.RUNNING, ""));
        List<RunChange.Line> lines = List.of(new RunChange.Line(T0, RunEvent.Stream.STDOUT, "one", false),
                new RunChange.Line(T0, RunEvent.Stream.STDERR, "two ****", true));
        PlanArtifact artifact = new PlanArtifact("file:///a", new Sha256Digest("b".repeat(64)), 42);

        Run ended = store.update(run.id(), current -> RunChange.to(RunState.SUCCEEDED, "").lines(lines, 7).exitCode(0)
                .artifact(artifact));

        assertEquals(5, ended.nextOffset());
        assertEquals(7, ended.taskOffset());
        assertEquals(artifact, ended.artifact().orElseThrow());
        assertEquals(0, ended.exitCode().orElseThrow());
        List<RunEvent> events = store.events(run.id(), 0, 100);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), events.stream().map(RunEvent::offset).toList());
        assertEquals("two ****", ((RunEvent.LogLine) events.get(3)).text());
        assertTrue(((RunEvent.LogLine) events.get(3)).redacted());
        assertEquals(RunState.SUCCEEDED, ((RunEvent.StateChanged) events.get(4)).state());
        assertEquals(List.of(4L), store.events(run.id(), 4, 100).stream().map(RunEvent::offset).toList());
    }

    @Test
    void aDecisionsStepsEnvironmentTimeoutAndSummaryToolReadBack() {
        Run created = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0).toBuilder()
                .decision(Runs.TERRAFORM_PLAN).build(), Runs.NO_AUDIT);

        Run found = store.find(created.id()).orElseThrow();

        assertEquals(Runs.TERRAFORM_PLAN, found.decision());
        assertEquals(Duration.ofMinutes(20), found.decision().timeout().orElseThrow());
    }

    @Test
    void aPlanSummaryIsStoredWithTheArtifactAndReadsBack() {
        Run run = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.update(run.id(), current -> RunChange.to(RunState.RUNNING, ""));
        PlanArtifact artifact = new PlanArtifact("file:///a", new Sha256Digest("b".repeat(64)), 42);

        store.update(run.id(), current -> RunChange.to(RunState.SUCCEEDED, "").exitCode(0).artifact(artifact)
                .planSummary(Runs.SUMMARY));

        Run found = store.find(run.id()).orElseThrow();
        assertEquals(Runs.SUMMARY, found.planSummary().orElseThrow());
        assertEquals(artifact, found.artifact().orElseThrow());
    }

    @Test
    void aRunWithoutPlanSummaryReadsBackWithout() {
        Run run = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);

        store.update(run.id(), current -> RunChange.to(RunState.RUNNING, ""));

        assertTrue(store.find(run.id()).orElseThrow().planSummary().isEmpty());
    }

    @Test
    void aTransitionTheLifecycleForbidsIsRefusedAndWritesNothing() {
        Run run = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);

        DomainException refused = assertThrows(DomainException.class,
                () -> store.update(run.id(), current -> RunChange.to(RunState.SUCCEEDED, "").lines(
                        List.of(new RunChange.Line(T0, RunEvent.Stream.STDOUT, "x", false)), 3)));

        assertEquals("RUN_STATE_CONFLICT", refused.reason());
        assertEquals(1, store.find(run.id()).orElseThrow().nextOffset());
        assertEquals(1, store.events(run.id(), 0, 10).size());
    }

    @Test
    void approvalsAreKeptWithTheRun() {
        Run run = store.create(Runs.queued(Runs.spec("prod/app", "prod", "apply"), T0).toBuilder()
                .state(RunState.AWAITING_APPROVAL).approvalDeadline(T0.plusSeconds(60)).build(), Runs.NO_AUDIT);
        Approval approval = new Approval(new SpiffeId("spiffe://test.example/human/alice"), T0, "c".repeat(64), "ok");

        Run approved = store.update(run.id(), current -> RunChange.to(RunState.QUEUED, "approved").approval(approval));

        assertEquals(List.of(approval), approved.approvals());
        assertEquals(RunState.QUEUED, approved.state());
        assertEquals(List.of(), store.approvalsPastDeadline(T0.plusSeconds(61), 10), "an approved run no longer expires");
    }

    @Test
    void onlyTheFirstQueuedRunOfALockKeyTakesTheLockAndAFinalStateFreesIt() {
        Run first = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        Run second = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        Run otherFolder = store.create(Runs.queued(Runs.spec("stage/db", "stage", "plan"), T0), Runs.NO_AUDIT);

        assertFalse(store.tryLock(second.id()), "the second in line waits");
        assertTrue(store.tryLock(first.id()));
        assertTrue(store.tryLock(first.id()), "taking a held lock again is harmless");
        assertTrue(store.tryLock(otherFolder.id()), "another folder has its own lock");
        assertEquals(1, store.find(second.id()).orElseThrow().queuePosition());
        store.update(first.id(), current -> RunChange.to(RunState.RUNNING, ""));
        assertFalse(store.tryLock(second.id()), "a running run keeps the lock");

        store.update(first.id(), current -> RunChange.to(RunState.FAILED, "exit 1").exitCode(1));

        assertTrue(store.tryLock(second.id()));
        assertEquals(0, store.find(second.id()).orElseThrow().queuePosition());
    }

    @Test
    void twoReplicasRacingForOneLockNeverBothGetIt() throws Exception {
        JdbcRunStore otherReplica = new JdbcRunStore(dataSource, clock, audit.table(clock));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 20; round++) {
                Run run = store.create(Runs.queued(Runs.spec("race/" + round, "stage", "plan"), T0), Runs.NO_AUDIT);
                List<Callable<Boolean>> attempts = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    JdbcRunStore replica = i % 2 == 0 ? store : otherReplica;
                    attempts.add(() -> {
                        boolean[] moved = {false};
                        if (replica.tryLock(run.id())) {
                            replica.update(run.id(), current -> {
                                moved[0] = current.state() == RunState.QUEUED;
                                return moved[0] ? RunChange.to(RunState.RUNNING, "") : RunChange.keepState();
                            });
                        }
                        return moved[0];
                    });
                }
                int started = 0;
                for (Future<Boolean> attempt : pool.invokeAll(attempts)) {
                    started += attempt.get() ? 1 : 0;
                }
                assertTrue(started >= 1, "someone started it");
                assertEquals(1, started, "exactly one replica moved it to RUNNING");
                assertEquals(2, store.events(run.id(), 0, 10).size(), "QUEUED, then RUNNING once");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLeaseKeepsOtherReplicasAwayUntilItRunsOut() {
        Run run = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        Set<RunState> driven = EnumSet.of(RunState.QUEUED, RunState.RUNNING);

        assertTrue(store.claim(run.id(), "replica-a", T0, T0.plusSeconds(15)));
        assertFalse(store.claim(run.id(), "replica-b", T0.plusSeconds(1), T0.plusSeconds(16)));
        assertEquals(List.of(), store.unattended(driven, "replica-b", T0.plusSeconds(1), 10));
        store.renew("replica-a", T0.plusSeconds(30));
        assertFalse(store.claim(run.id(), "replica-b", T0.plusSeconds(20), T0.plusSeconds(35)));

        assertTrue(store.claim(run.id(), "replica-b", T0.plusSeconds(31), T0.plusSeconds(46)), "the lease ran out");
        assertEquals(List.of(run.id()), store.unattended(driven, "replica-b", T0.plusSeconds(31), 10).stream().map(Run::id).toList());
    }

    @Test
    void aReplicaWhoseLeaseWasTakenOverCannotAppendEvents() {
        Run run = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.claim(run.id(), "replica-a", T0, T0.plusSeconds(5));
        store.updateHeld(run.id(), "replica-a", current -> RunChange.to(RunState.RUNNING, ""));
        clock.advance(Duration.ofSeconds(6));
        assertTrue(store.claim(run.id(), "replica-b", clock.instant(), clock.instant().plusSeconds(5)));
        List<RunChange.Line> lines = List.of(new RunChange.Line(T0, RunEvent.Stream.STDOUT, "copied twice", false));

        assertThrows(RunLeaseLostException.class,
                () -> store.updateHeld(run.id(), "replica-a", current -> RunChange.keepState().lines(lines, 1)));

        assertEquals(2, store.events(run.id(), 0, 10).size(), "QUEUED and RUNNING only: no line written");
        assertEquals(0, store.find(run.id()).orElseThrow().taskOffset(), "the task offset is unchanged");
    }

    @Test
    void aReplicaWhoseLeaseWasTakenOverCannotChangeTheRunsState() {
        Run run = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.claim(run.id(), "replica-a", T0, T0.plusSeconds(5));
        clock.advance(Duration.ofSeconds(6));
        assertTrue(store.claim(run.id(), "replica-b", clock.instant(), clock.instant().plusSeconds(5)));

        assertThrows(RunLeaseLostException.class,
                () -> store.updateHeld(run.id(), "replica-a", current -> RunChange.to(RunState.CANCELLED, "lost")));

        assertEquals(RunState.QUEUED, store.find(run.id()).orElseThrow().state());
        assertEquals(1, store.events(run.id(), 0, 10).size(), "only QUEUED");
    }

    @Test
    void aReplicaWhoseLeaseRanOutCannotWriteEvenBeforeAnotherClaimsTheRun() {
        Run run = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.claim(run.id(), "replica-a", T0, T0.plusSeconds(5));
        clock.advance(Duration.ofSeconds(6));

        assertThrows(RunLeaseLostException.class,
                () -> store.updateHeld(run.id(), "replica-a", current -> RunChange.to(RunState.RUNNING, "")));

        assertEquals(RunState.QUEUED, store.find(run.id()).orElseThrow().state());
    }

    @Test
    void theReplicaHoldingTheLeaseWritesItsChange() {
        Run run = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.claim(run.id(), "replica-a", T0, T0.plusSeconds(5));

        Run running = store.updateHeld(run.id(), "replica-a", current -> RunChange.to(RunState.RUNNING, ""));

        assertEquals(RunState.RUNNING, running.state());
    }

    @Test
    void aRenewalNamesTheRunsItsOwnerStillHolds() {
        Run kept = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        Run lost = store.create(Runs.queued(Runs.spec("stage/db", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.claim(kept.id(), "replica-a", T0, T0.plusSeconds(5));
        store.claim(lost.id(), "replica-a", T0, T0.plusSeconds(5));
        store.claim(lost.id(), "replica-b", T0.plusSeconds(6), T0.plusSeconds(11));

        Set<RunId> held = store.renew("replica-a", T0.plusSeconds(11));

        assertEquals(Set.of(kept.id()), held);
    }

    @Test
    void anAwaitingRunPastItsDeadlineIsFoundForExpiry() {
        Run run = store.create(Runs.queued(Runs.spec("prod/app", "prod", "apply"), T0).toBuilder()
                .state(RunState.AWAITING_APPROVAL).approvalDeadline(T0.plusSeconds(60)).build(), Runs.NO_AUDIT);

        assertEquals(List.of(), store.approvalsPastDeadline(T0.plusSeconds(59), 10));
        assertEquals(List.of(run.id()), store.approvalsPastDeadline(T0.plusSeconds(61), 10).stream().map(Run::id).toList());
    }

    @Test
    void activeRunsCountsOnlyUnfinishedRunsOfTheRequester() {
        Run a = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.create(Runs.queued(Runs.spec("stage/db", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.update(a.id(), current -> RunChange.to(RunState.CANCELLED, "by test"));

        assertEquals(1, store.activeRuns(Runs.CI));
        assertEquals(0, store.activeRuns(new SpiffeId("spiffe://test.example/ci/other")));
    }

    @Test
    void runsAreCountedByStateAndAStateWithoutRunsCountsZero() {
        Run a = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.create(Runs.queued(Runs.spec("stage/db", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.create(Runs.queued(Runs.spec("stage/web", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.update(a.id(), current -> RunChange.to(RunState.CANCELLED, "by test"));

        Map<RunState, Long> counts = store.countByState(EnumSet.of(RunState.QUEUED, RunState.RUNNING, RunState.CANCELLED));

        assertEquals(Map.of(RunState.QUEUED, 2L, RunState.RUNNING, 0L, RunState.CANCELLED, 1L), counts);
    }

    @Test
    void listingIsNewestFirstFilteredAndPagedBySequence() {
        List<Run> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(store.create(Runs.queued(Runs.spec("stage/app" + i, i % 2 == 0 ? "stage" : "prod", "plan"), T0), Runs.NO_AUDIT));
        }

        List<Run> stage = store.list(new RunStore.RunQuery("", "stage", Set.of(), "", 2, Long.MAX_VALUE));
        List<Run> next = store.list(new RunStore.RunQuery("", "stage", Set.of(), "", 2, stage.get(1).sequence()));

        assertEquals(List.of(created.get(4).id(), created.get(2).id()), stage.stream().map(Run::id).toList());
        assertEquals(List.of(created.get(0).id()), next.stream().map(Run::id).toList());
        assertEquals(5, store.list(new RunStore.RunQuery("infra", "", Set.of(RunState.QUEUED), Runs.CI.value(), 10,
                Long.MAX_VALUE)).size());
        assertEquals(0, store.list(new RunStore.RunQuery("", "", Set.of(RunState.RUNNING), "", 10, Long.MAX_VALUE)).size());
    }

    /** Events waiting in the audit outbox table, to be shipped by its relay. */
    private long outboxRows() throws java.sql.SQLException {
        try (var connection = dataSource.getConnection(); var count = connection.prepareStatement(
                "SELECT COUNT(*) FROM audit_outbox"); var rows = count.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private AuditEvent auditEvent(UUID id, AuditAction action, Run run) {
        return AuditEvent.builder("gateway", action, clock.instant()).eventId(id).actor(Runs.CI.value())
                .resource(new AuditResource("run", run.id().value(), run.spec().repo().value(), run.id().value()))
                .traceId(run.traceId()).attributes(Map.of("state", run.state().name())).build();
    }

    private java.util.function.Function<Run, List<AuditEvent>> events(AuditAction... actions) {
        return run -> java.util.Arrays.stream(actions).map(action -> auditEvent(UUID.randomUUID(), action, run)).toList();
    }

    @Test
    void theAuditEventsOfACreateAndAnUpdateCommitWithThemIntoTheAuditOutbox() throws Exception {
        Run run = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0),
                events(AuditAction.RUN_SUBMITTED, AuditAction.RUN_QUEUED));

        store.update(run.id(), current -> RunChange.to(RunState.CANCELLED, "stop").audit(events(AuditAction.RUN_CANCELLED)));

        assertEquals(List.of(AuditAction.RUN_SUBMITTED, AuditAction.RUN_QUEUED, AuditAction.RUN_CANCELLED),
                audit.events().stream().map(AuditEvent::action).toList());
        assertEquals(List.of("QUEUED", "QUEUED", "CANCELLED"),
                audit.events().stream().map(e -> e.attributes().get("state")).toList(), "made from the run as the change left it");
        assertEquals(3, outboxRows());
    }

    @Test
    void theAuditEventsOfAChangeCommitTogether() {
        List<List<AuditAction>> commits = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.portcullis.runtime.outbox.jdbc.AuditOutboxTable table = new dev.portcullis.runtime.outbox.jdbc.AuditOutboxTable(clock);
        table.onCommitted(events -> commits.add(events.stream().map(AuditEvent::action).toList()));
        JdbcRunStore together = new JdbcRunStore(dataSource, clock, table);

        together.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0),
                events(AuditAction.RUN_SUBMITTED, AuditAction.RUN_QUEUED));

        assertEquals(List.of(List.of(AuditAction.RUN_SUBMITTED, AuditAction.RUN_QUEUED)), commits);
    }

    @Test
    void aRefusedChangeStoresNoAuditEvents() throws Exception {
        Run run = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        Run sameKey = Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0).toBuilder().requestKey(run.requestKey()).build();

        assertThrows(DomainException.class, () -> store.update(run.id(),
                current -> RunChange.to(RunState.SUCCEEDED, "").audit(events(AuditAction.RUN_FINISHED))));
        assertThrows(RequestKeyTakenException.class, () -> store.create(sameKey, events(AuditAction.RUN_SUBMITTED)));

        assertEquals(List.of(), audit.events());
        assertEquals(0, outboxRows());
    }

    @Test
    void aChangeWhoseAuditEventsCannotBeStoredIsRolledBackWithThem() throws Exception {
        Run run = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        try (var connection = dataSource.getConnection(); var drop = connection.createStatement()) {
            drop.execute("DROP TABLE audit_outbox"); // the event's insert fails, so must the change
        }

        DomainException failed = assertThrows(DomainException.class, () -> store.update(run.id(),
                current -> RunChange.to(RunState.CANCELLED, "stop").audit(events(AuditAction.RUN_CANCELLED))));

        assertEquals("STORE_UNAVAILABLE", failed.reason());
        assertEquals(RunState.QUEUED, store.find(run.id()).orElseThrow().state());
        assertEquals(1, store.events(run.id(), 0, 10).size());
        assertEquals(List.of(), audit.events());
    }
}
