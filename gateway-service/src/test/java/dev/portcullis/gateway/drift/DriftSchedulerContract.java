package dev.portcullis.gateway.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.DriftSchedule;
import dev.portcullis.catalog.DriftTarget;
import dev.portcullis.gateway.client.GrpcRefHeads;
import dev.portcullis.gateway.client.TestNeighbour;
import dev.portcullis.gateway.run.Actor;
import dev.portcullis.gateway.run.Decision;
import dev.portcullis.gateway.run.PlanSummary;
import dev.portcullis.gateway.run.PlanTool;
import dev.portcullis.gateway.run.PolicyCheck;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunChange;
import dev.portcullis.gateway.run.RunService;
import dev.portcullis.gateway.run.RunSettings;
import dev.portcullis.gateway.run.RunSignals;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.gateway.run.RunStore;
import dev.portcullis.gateway.run.Runs;
import dev.portcullis.gateway.run.TaskRunner;
import dev.portcullis.gateway.store.jdbc.JdbcDriftStore;
import dev.portcullis.gateway.store.jdbc.JdbcRunStore;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.telemetry.TelemetryConfig;
import dev.portcullis.runtime.telemetry.TelemetryEnvironment;
import dev.portcullis.runtime.testing.MutableClock;
import dev.portcullis.runtime.testing.PrometheusScrape;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestDatabases;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.ResolveRefRequest;
import dev.portcullis.v1.ResolveRefResponse;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift scheduler over the real JDBC stores and the real {@link RunService} (the policy
 * service and the executor are stand-ins): what it submits, under whom, when, and what it records.
 * Runs on H2 and on PostgreSQL.
 */
abstract class DriftSchedulerContract {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final SpiffeId SCHEDULER = new SpiffeId("spiffe://test.example/portcullis/drift-scheduler");
    private static final CommitSha HEAD = new CommitSha("89abcdef0123456789abcdef0123456789abcdef");
    /** {@code DRIFT} is replaced by each test's drift checks. */
    private static final String CATALOG = """
            version: 1
            environments:
              stage: {}
              prod: {}
            commands:
              plan: { argv: ["terraform", "plan"], produces: plan.tfplan, summary: terraform }
            repos:
              - name: infra
                url: https://github.com/acme/infra.git
                folders: ["stage/**", "prod/**"]
                callers: ["spiffe://test.example/portcullis/drift-scheduler"]
                rules:
                  - { commands: [plan], refs: ["refs/heads/*"], environments: [stage, prod] }
                drift: DRIFT
            """;
    private static final String ONE_TARGET = "[{ folders: [prod/network], environments: [prod], command: plan, every: 6h, "
            + "jitter: 0s }]";
    private static final PlanSummary NO_CHANGES = new PlanSummary(PlanTool.TERRAFORM, "1.2",
            new PlanSummary.Counts(0, 0, 0, 0, 0, 0, 0, 0, 0), List.of(), 0, List.of(), 0, List.of(), 0, false,
            "No changes.\n");
    private static final PlanSummary DRIFT_ONLY = new PlanSummary(PlanTool.TERRAFORM, "1.2",
            new PlanSummary.Counts(0, 0, 0, 0, 0, 0, 0, 0, 0), List.of(), 0, List.of(), 0,
            List.of(new PlanSummary.ResourceChange("aws_s3_bucket.logs", "aws_s3_bucket", List.of("update"), "", false, "")),
            0, false, "No changes.\n");

    private TestDatabases.Settings db;
    private HikariDataSource dataSource;
    private final MutableClock clock = MutableClock.at(T0);
    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private final AtomicReference<Catalog> catalog = new AtomicReference<>();
    private final AtomicReference<Decision> decision = new AtomicReference<>(Runs.ALLOW);
    private final List<SpiffeId> policyCallers = new CopyOnWriteArrayList<>();
    private RunStore runStore;
    private DriftStore driftStore;

    protected abstract TestDatabases.Settings database();

    @BeforeEach
    void open() {
        db = database();
        dataSource = Databases.open("gateway", db.jdbcUrl(), db.user(), db.password(), db.schema(), 8);
        runStore = new JdbcRunStore(dataSource, clock, audit.table(clock));
        driftStore = new JdbcDriftStore(dataSource, clock, audit.table(clock));
        catalog.set(load(ONE_TARGET));
    }

    @AfterEach
    void close() {
        if (db == null) { // PostgreSQL was unreachable: the test skipped before opening anything
            return;
        }
        dataSource.close();
        TestDatabases.drop(db);
    }

    private static Catalog load(String drift) {
        return new CatalogLoader().load("catalog.yaml", CATALOG.replace("DRIFT", drift).getBytes(StandardCharsets.UTF_8));
    }

    private RunService runService() {
        PolicyCheck policy = (caller, spec, plan, breakGlass, claims, traceId) -> {
            policyCallers.add(caller);
            return decision.get();
        };
        TaskRunner noTasks = new TaskRunner() {
            @Override
            public TaskStatus start(TaskRequest request) {
                throw new AssertionError("the scheduler never starts tasks; the driver does");
            }

            @Override
            public TaskStatus cancel(RunId run, String reason) {
                throw new AssertionError("not here");
            }

            @Override
            public Subscription follow(RunId run, long fromOffset, Sink sink) {
                throw new AssertionError("not here");
            }
        };
        return new RunService(runStore, policy, noTasks, audit, run -> {}, new RunSignals(),
                new RunSettings(Duration.ofHours(1), Duration.ofMinutes(10), 1000, 100, Duration.ofSeconds(15),
                        Duration.ofMillis(100)), clock);
    }

    private DriftScheduler scheduler(String replica, int maxConcurrent, RefHeads heads) {
        return new DriftScheduler(driftStore, () -> Optional.ofNullable(catalog.get()), heads, runService(),
                new DriftSettings(SCHEDULER, maxConcurrent, Duration.ofMinutes(2)), clock, replica);
    }

    private DriftScheduler scheduler(String replica) {
        return scheduler(replica, 10, (url, ref) -> HEAD);
    }

    private List<Run> allRuns() {
        return runStore.list(new RunStore.RunQuery("", "", Set.of(), "", 1000, Long.MAX_VALUE));
    }

    private DriftRecord record(String folder) {
        return driftStore.all().stream().filter(r -> r.id().folder().value().equals(folder)).findFirst().orElseThrow();
    }

    private List<AuditEvent> events(AuditAction action) {
        return audit.events().stream().filter(event -> event.action() == action).toList();
    }

    private void end(RunId run, Function<RunChange, RunChange> ending) {
        runStore.update(run, r -> RunChange.to(RunState.RUNNING, ""));
        runStore.update(run, r -> ending.apply(RunChange.to(RunState.SUCCEEDED, "").exitCode(0)));
    }

    private void fail(RunId run) {
        runStore.update(run, r -> RunChange.to(RunState.RUNNING, ""));
        runStore.update(run, r -> RunChange.to(RunState.FAILED, "exit code 1").exitCode(1));
    }

    @Test
    void aDueTargetSubmitsExactlyOnePlanRunOfTheRefsHeadUnderTheSchedulerIdentity() {
        DriftScheduler.Round round = scheduler("replica-a").round();

        assertEquals(1, round.added());
        assertEquals(1, round.submitted().size());
        Run run = runStore.find(round.submitted().get(0)).orElseThrow();
        assertTrue(run.drift());
        assertEquals(SCHEDULER, run.requester());
        assertEquals(List.of(SCHEDULER), policyCallers);
        assertEquals(RunState.QUEUED, run.state());
        assertEquals(HEAD, run.spec().commit());
        assertEquals("refs/heads/main", run.spec().ref().value());
        assertEquals("prod/network", run.spec().folder().value());
        assertEquals("plan", run.spec().command().value());
        assertTrue(record("prod/network").checkPending());
        assertEquals(Optional.of(run.id()), record("prod/network").lastRun());
        assertEquals(1, allRuns().size());
    }

    @Test
    void aTargetWhoseCheckIsPendingIsNotSubmittedAgainWhenItIsDueAgain() {
        RunId first = scheduler("replica-a").round().submitted().get(0);

        clock.advance(Duration.ofHours(7));
        DriftScheduler.Round later = scheduler("replica-a").round();

        assertEquals(List.of(), later.submitted());
        assertEquals(List.of(first), allRuns().stream().map(Run::id).toList());
    }

    @Test
    void twoReplicasOnOneDatabaseSubmitEachDueCheckOnce() throws Exception {
        catalog.set(load("[{ folders: [prod/a, prod/b, prod/c], environments: [stage, prod], command: plan, every: 1h, "
                + "jitter: 0s }]"));
        DriftScheduler a = scheduler("replica-a");
        DriftScheduler b = scheduler("replica-b");
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        List<DriftScheduler.Round> rounds = new ArrayList<>();
        try {
            List<Future<DriftScheduler.Round>> both = new ArrayList<>();
            for (DriftScheduler replica : List.of(a, b)) {
                both.add(threads.submit(() -> {
                    start.await();
                    return replica.round();
                }));
            }
            start.countDown();
            for (Future<DriftScheduler.Round> round : both) {
                rounds.add(round.get(30, TimeUnit.SECONDS));
            }
        } finally {
            threads.shutdownNow();
        }
        DriftScheduler.Round again = b.round();

        List<Run> runs = allRuns();
        assertEquals(6, runs.size());
        assertEquals(6, runs.stream().map(run -> run.spec().lockKey()).distinct().count());
        assertEquals(6, rounds.stream().mapToInt(round -> round.submitted().size()).sum());
        assertEquals(6, rounds.stream().mapToInt(DriftScheduler.Round::added).sum());
        assertEquals(List.of(), again.submitted());
    }

    @Test
    void nextDueFollowsTheDriftScheduleFromTheCheckStart() {
        catalog.set(load("[{ folders: [prod/network], environments: [prod], command: plan, every: 1h, jitter: 20m }]"));
        DriftTarget target = catalog.get().driftTargets().get(0);
        DriftScheduler scheduler = scheduler("replica-a");

        scheduler.round();
        Instant firstDue = DriftSchedule.firstDue(target, T0);
        assertEquals(firstDue, record("prod/network").nextDue());
        clock.advance(Duration.between(T0, firstDue).plusSeconds(30));
        Instant start = clock.instant();
        List<RunId> submitted = scheduler.round().submitted();

        assertEquals(1, submitted.size());
        assertEquals(Optional.of(start), record("prod/network").lastCheckStart());
        assertEquals(DriftSchedule.nextDue(target, start), record("prod/network").nextDue());
    }

    @Test
    void aTargetTheCatalogNoLongerDeclaresIsDropped() {
        catalog.set(load("[{ folders: [prod/network, prod/dns], environments: [prod], command: plan, every: 6h }]"));
        scheduler("replica-a").round();

        catalog.set(load(ONE_TARGET));
        DriftScheduler.Round round = scheduler("replica-a").round();

        assertEquals(1, round.removed());
        assertEquals(List.of("prod/network"), driftStore.all().stream().map(r -> r.id().folder().value()).toList());
    }

    @Test
    void nothingChangesWhileTheCatalogCannotBeHad() {
        scheduler("replica-a").round();
        catalog.set(null);

        DriftScheduler.Round round = scheduler("replica-a").round();

        assertEquals(0, round.removed());
        assertEquals(1, driftStore.all().size());
    }

    @Test
    void aPlanWithChangesIsDriftAndTheNextCleanOneIsInSync() {
        DriftScheduler scheduler = scheduler("replica-a");
        RunId first = scheduler.round().submitted().get(0);
        assertEquals(DriftState.UNKNOWN, record("prod/network").state());

        end(first, change -> change.planSummary(Runs.SUMMARY));
        scheduler.round();
        assertEquals(DriftState.DRIFTED, record("prod/network").state());
        assertFalse(record("prod/network").checkPending());
        clock.advance(Duration.ofHours(6));
        RunId second = scheduler.round().submitted().get(0);
        end(second, change -> change.planSummary(NO_CHANGES));
        scheduler.round();

        assertEquals(DriftState.IN_SYNC, record("prod/network").state());
        assertEquals(0, record("prod/network").consecutiveFailures());
    }

    @Test
    void driftIsAuditedWithCountsAndAddressesOnceAndItsEndAsCleared() {
        DriftScheduler a = scheduler("replica-a");
        DriftScheduler b = scheduler("replica-b");
        RunId first = a.round().submitted().get(0);
        end(first, change -> change.planSummary(Runs.SUMMARY));

        a.round();
        b.round();

        AuditEvent detected = events(AuditAction.DRIFT_DETECTED).get(0);
        assertEquals(1, events(AuditAction.DRIFT_DETECTED).size());
        assertEquals(SCHEDULER.value(), detected.actor());
        assertEquals("drift_target", detected.resource().kind());
        assertEquals("infra:prod/network:prod", detected.resource().id());
        assertEquals(first.value(), detected.resource().runId());
        assertEquals("terraform_data.web[\"eu\"],aws_db_instance.main", detected.attributes().get("addresses"));
        assertEquals("1", detected.attributes().get("plan_delete"));
        assertEquals("unknown", detected.attributes().get("previous_state"));
        assertEquals(HEAD.value(), detected.attributes().get("commit_sha"));
        clock.advance(Duration.ofHours(6));
        end(a.round().submitted().get(0), change -> change.planSummary(NO_CHANGES));
        b.round();
        assertEquals(List.of("drifted"), events(AuditAction.DRIFT_CLEARED).stream()
                .map(event -> event.attributes().get("previous_state")).toList());
        clock.advance(Duration.ofHours(6));
        end(a.round().submitted().get(0), change -> change.planSummary(NO_CHANGES));
        a.round();
        assertEquals(1, events(AuditAction.DRIFT_CLEARED).size(), "only the first clean check after drift clears it");
    }

    @Test
    void targetsByStateAndCheckDurationsAreMeasured() throws Exception {
        Telemetry telemetry = TelemetryEnvironment.build("gateway", new TelemetryConfig(0, "127.0.0.1"));
        try {
            DriftScheduler scheduler = new DriftScheduler(driftStore, () -> Optional.of(catalog.get()), (url, ref) -> HEAD,
                    runService(), new DriftSettings(SCHEDULER, 10, Duration.ofMinutes(2)), clock, "replica-a", telemetry);
            RunId check = scheduler.round().submitted().get(0);
            PrometheusScrape before = PrometheusScrape.of(telemetry.prometheusAddress().orElseThrow());
            clock.advance(Duration.ofSeconds(90));
            end(check, change -> change.planSummary(Runs.SUMMARY));

            scheduler.round();

            PrometheusScrape after = PrometheusScrape.of(telemetry.prometheusAddress().orElseThrow());
            assertEquals(1, before.sum("portcullis_gateway_drift_targets", Map.of("state", "unknown")), before.text());
            assertEquals(1, after.sum("portcullis_gateway_drift_targets", Map.of("state", "drifted")), after.text());
            assertEquals(0, after.sum("portcullis_gateway_drift_targets", Map.of("state", "unknown")), after.text());
            assertEquals(1, after.sum("portcullis_gateway_drift_check_duration_seconds_count", Map.of("state", "drifted")),
                    after.text());
            assertEquals(90, after.sum("portcullis_gateway_drift_check_duration_seconds_sum", Map.of("state", "drifted")),
                    1e-9, after.text());
        } finally {
            telemetry.close();
        }
    }

    @Test
    void resourcesChangedOutsideTerraformAreDriftEvenWithoutPlannedChanges() {
        DriftScheduler scheduler = scheduler("replica-a");
        RunId check = scheduler.round().submitted().get(0);

        end(check, change -> change.planSummary(DRIFT_ONLY));
        scheduler.round();

        assertEquals(DriftState.DRIFTED, record("prod/network").state());
    }

    @Test
    void failedChecksAreFailingAndCountedUntilOneFinishes() {
        DriftScheduler scheduler = scheduler("replica-a");
        fail(scheduler.round().submitted().get(0));
        scheduler.round();
        clock.advance(Duration.ofHours(6));
        fail(scheduler.round().submitted().get(0));
        scheduler.round();

        assertEquals(DriftState.FAILING, record("prod/network").state());
        assertEquals(2, record("prod/network").consecutiveFailures());
        assertEquals(List.of("1", "2"), events(AuditAction.DRIFT_CHECK_FAILED).stream()
                .map(event -> event.attributes().get("consecutive_failures")).toList());
        assertTrue(events(AuditAction.DRIFT_CHECK_FAILED).stream()
                .allMatch(event -> event.reason().equals("RUN_FAILED") && event.outcome() == AuditOutcome.FAILURE));
        assertTrue(record("prod/network").stateReason().contains("FAILED"), record("prod/network").stateReason());
        clock.advance(Duration.ofHours(6));
        end(scheduler.round().submitted().get(0), change -> change.planSummary(NO_CHANGES));
        scheduler.round();
        assertEquals(DriftState.IN_SYNC, record("prod/network").state());
        assertEquals(0, record("prod/network").consecutiveFailures());
    }

    @Test
    void aDeniedCheckIsFailingWithThePolicysReasons() {
        decision.set(new Decision(false, List.of(new Decision.Reason("CALLER_NOT_ALLOWED", "no", "caller")), "", 0,
                "a".repeat(64), List.of(), List.of(), "", false, List.of(), ""));
        DriftScheduler scheduler = scheduler("replica-a");

        RunId denied = scheduler.round().submitted().get(0);
        scheduler.round();

        assertEquals(RunState.DENIED, runStore.find(denied).orElseThrow().state());
        assertEquals(DriftState.FAILING, record("prod/network").state());
        assertTrue(record("prod/network").stateReason().contains("CALLER_NOT_ALLOWED"));
    }

    @Test
    void aRefThatCannotBeResolvedIsAFailedCheckAndNothingIsPlanned() {
        DriftScheduler.Round round = scheduler("replica-a", 4, RefHeads.unavailable()).round();

        assertEquals(List.of(), round.submitted());
        assertEquals(1, round.submitFailed());
        assertEquals(List.of(), allRuns());
        DriftRecord failing = record("prod/network");
        assertEquals(DriftState.FAILING, failing.state());
        assertEquals(1, failing.consecutiveFailures());
        assertTrue(failing.stateReason().startsWith("REF_RESOLUTION_UNAVAILABLE"), failing.stateReason());
        assertEquals(DriftSchedule.nextDue(catalog.get().driftTargets().get(0), T0), failing.nextDue());
        AuditEvent failed = events(AuditAction.DRIFT_CHECK_FAILED).get(0);
        assertEquals("REF_RESOLUTION_UNAVAILABLE", failed.reason());
        assertEquals("", failed.resource().runId());
        assertEquals("1", failed.attributes().get("consecutive_failures"));
    }

    /** An in-test executor answering every ResolveRef with {@code head}, keeping the requests. */
    private static TestNeighbour executorResolving(Path dir, CommitSha head, List<ResolveRefRequest> asked) {
        return TestNeighbour.serve(dir, new ExecutorServiceGrpc.ExecutorServiceImplBase() {
            @Override
            public void resolveRef(ResolveRefRequest request, StreamObserver<ResolveRefResponse> response) {
                asked.add(request);
                response.onNext(ResolveRefResponse.newBuilder().setCommitSha(head.value()).build());
                response.onCompleted();
            }
        });
    }

    @Test
    void aDueCheckPlansTheCommitTheExecutorResolvedForTheTargetsRef(@TempDir Path dir) {
        CommitSha resolved = new CommitSha("fedcba9876543210fedcba9876543210fedcba98");
        List<ResolveRefRequest> asked = new CopyOnWriteArrayList<>();
        try (TestNeighbour executor = executorResolving(dir, resolved, asked)) {
            RefHeads heads = new GrpcRefHeads(executor.channel(), Duration.ofSeconds(10));

            DriftScheduler.Round round = scheduler("replica-a", 4, heads).round();

            assertEquals(1, round.submitted().size());
            Run run = runStore.find(round.submitted().get(0)).orElseThrow();
            assertEquals(resolved, run.spec().commit());
            assertEquals("refs/heads/main", run.spec().ref().value());
            assertEquals(1, asked.size());
            assertEquals("https://github.com/acme/infra.git", asked.get(0).getRepoUrl());
            assertEquals("refs/heads/main", asked.get(0).getRef());
        }
    }

    @Test
    void anUnreachableExecutorFailsTheCheckWithAClearReasonAndPlansNothing(@TempDir Path dir) {
        TestNeighbour executor = executorResolving(dir, HEAD, new CopyOnWriteArrayList<>());
        executor.stopServer();
        try {
            RefHeads heads = new GrpcRefHeads(executor.channel(), Duration.ofSeconds(10));

            DriftScheduler.Round round = scheduler("replica-a", 4, heads).round();

            assertEquals(1, round.submitFailed());
            assertEquals(List.of(), allRuns());
            DriftRecord failing = record("prod/network");
            assertEquals(DriftState.FAILING, failing.state());
            assertTrue(failing.stateReason().startsWith("REF_RESOLUTION_UNAVAILABLE"), failing.stateReason());
        } finally {
            executor.close();
        }
    }

    @Test
    void noMoreChecksArePendingThanAllowed() {
        catalog.set(load("[{ folders: [prod/a, prod/b, prod/c], environments: [prod], command: plan, every: 1h, "
                + "jitter: 0s }]"));

        DriftScheduler.Round round = scheduler("replica-a", 2, (url, ref) -> HEAD).round();

        assertEquals(2, round.submitted().size());
        assertEquals(2, driftStore.pendingChecks());
        assertEquals(List.of(), scheduler("replica-b", 2, (url, ref) -> HEAD).round().submitted());
    }

    @Test
    void aReplicaTakingOverTheClaimOfOneThatDiedAfterSubmittingGetsTheSameRunBack() {
        DriftStore diesAfterSubmitting = new CrashingDriftStore(driftStore);
        DriftScheduler dying = new DriftScheduler(diesAfterSubmitting, () -> Optional.of(catalog.get()), (url, ref) -> HEAD,
                runService(), new DriftSettings(SCHEDULER, 10, Duration.ofMinutes(2)), clock, "replica-a");
        assertEquals("killed before recording the submission",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, dying::round).getMessage());
        RunId submitted = allRuns().get(0).id();

        clock.advance(Duration.ofMinutes(3));
        List<RunId> takenOver = scheduler("replica-b").round().submitted();

        assertEquals(List.of(submitted), takenOver);
        assertEquals(1, allRuns().size());
        assertEquals(Optional.of(submitted), record("prod/network").lastRun());
        assertTrue(record("prod/network").checkPending());
    }

    // --- a check asked for now (CheckDriftNow) and what the status shows (ListDriftTargets) ---

    /** Two targets of prod never due during a test: every 7d, first due days after first sight. */
    private static final String NOT_DUE = "[{ folders: [prod/network, prod/dns], environments: [prod], command: plan, "
            + "every: 7d, jitter: 3d }]";
    private static final DriftTargetId NETWORK = new DriftTargetId(new CatalogName("infra"), RepoFolder.parse("prod/network"),
            new CatalogName("prod"));
    private static final Actor ADMIN = new Actor(new SpiffeId("spiffe://test.example/human/admin"), true, "127.0.0.1:4000");

    private DriftTarget networkTarget() {
        return catalog.get().driftTargets().stream().filter(t -> DriftTargetId.of(t).equals(NETWORK)).findFirst().orElseThrow();
    }

    private DriftChecks checks(DriftScheduler scheduler, boolean enabled) {
        return new DriftChecks(driftStore, scheduler, runService(), audit, clock, enabled);
    }

    @Test
    void checkingNowSubmitsOnePlanRunOfATargetNotYetDueUnderTheSchedulerIdentity() {
        catalog.set(load(NOT_DUE));
        DriftScheduler scheduler = scheduler("replica-a");
        scheduler.round();
        assertTrue(record("prod/network").nextDue().isAfter(T0.plus(Duration.ofMinutes(10))), "not due in this test");

        DriftScheduler.Requested requested = scheduler.checkNow(NETWORK);

        assertFalse(requested.alreadyPending());
        Run run = runStore.find(requested.run()).orElseThrow();
        assertTrue(run.drift());
        assertEquals(SCHEDULER, run.requester());
        assertEquals(List.of(SCHEDULER), policyCallers);
        assertEquals(RunState.QUEUED, run.state());
        assertEquals(HEAD, run.spec().commit());
        assertEquals(List.of(run.id()), allRuns().stream().map(Run::id).toList());
        assertTrue(record("prod/network").checkPending());
        assertEquals(Optional.of(T0), record("prod/network").lastCheckStart());
        assertEquals(DriftSchedule.nextDue(networkTarget(), T0), record("prod/network").nextDue());
    }

    @Test
    void askingAgainWhileTheCheckIsPendingSubmitsNoneAndReturnsThePendingRun() {
        catalog.set(load(NOT_DUE));
        DriftScheduler scheduler = scheduler("replica-a");
        RunId first = scheduler.checkNow(NETWORK).run();

        clock.advance(Duration.ofMinutes(1));
        DriftScheduler.Requested again = scheduler("replica-b").checkNow(NETWORK);

        assertTrue(again.alreadyPending());
        assertEquals(first, again.run());
        assertEquals(List.of(first), allRuns().stream().map(Run::id).toList());
    }

    @Test
    void aRoundSubmitsNoSecondCheckOfATargetWhoseCheckAskedForNowIsPending() {
        catalog.set(load(NOT_DUE));
        DriftScheduler scheduler = scheduler("replica-a");
        RunId asked = scheduler.checkNow(NETWORK).run();

        clock.advance(Duration.ofDays(11));
        List<RunId> submitted = scheduler.round().submitted();

        assertFalse(submitted.stream().anyMatch(run -> runStore.find(run).orElseThrow().spec().folder().value()
                .equals("prod/network")), submitted.toString());
        assertEquals(Optional.of(asked), record("prod/network").lastRun());
    }

    @Test
    void checkingNowWhileAnotherReplicaIsSubmittingTheScheduledCheckIsAConflictAndSubmitsNothing() {
        assertTrue(driftStore.add(NETWORK, T0, T0));
        assertTrue(driftStore.claim(NETWORK, "replica-b", T0, T0.plus(Duration.ofMinutes(2))));

        DomainException refused = assertThrows(DomainException.class, () -> scheduler("replica-a").checkNow(NETWORK));

        assertEquals(DomainException.Kind.CONFLICT, refused.kind());
        assertEquals("DRIFT_CHECK_CLAIMED", refused.reason());
        assertEquals(List.of(), allRuns());
    }

    @Test
    void checkingNowATargetOfARepoTheCatalogLacksIsNotFound() {
        DriftTargetId unknown = new DriftTargetId(new CatalogName("elsewhere"), RepoFolder.parse("prod/network"),
                new CatalogName("prod"));

        DomainException refused = assertThrows(DomainException.class, () -> scheduler("replica-a").checkNow(unknown));

        assertEquals(DomainException.Kind.NOT_FOUND, refused.kind());
        assertEquals("DRIFT_TARGET_NOT_FOUND", refused.reason());
        assertEquals("elsewhere", refused.metadata().get("repo"));
        assertEquals(List.of(), allRuns());
    }

    @Test
    void checkingNowAFolderNoDriftCheckListsIsRefusedAsNotScheduled() {
        DriftTargetId unscheduled = new DriftTargetId(new CatalogName("infra"), RepoFolder.parse("prod/dns"),
                new CatalogName("prod"));

        DomainException refused = assertThrows(DomainException.class, () -> scheduler("replica-a").checkNow(unscheduled));

        assertEquals(DomainException.Kind.PRECONDITION, refused.kind());
        assertEquals("DRIFT_NOT_SCHEDULED", refused.reason());
        assertEquals("prod/dns", refused.metadata().get("folder"));
        assertEquals(List.of(), allRuns());
    }

    @Test
    void aCheckAskedForNowThatCannotBeSubmittedIsRecordedFailingAndItsReasonReturned() {
        catalog.set(load(NOT_DUE));

        DomainException refused = assertThrows(DomainException.class,
                () -> scheduler("replica-a", 4, RefHeads.unavailable()).checkNow(NETWORK));

        assertEquals("REF_RESOLUTION_UNAVAILABLE", refused.reason());
        assertEquals(DriftState.FAILING, record("prod/network").state());
        assertEquals(1, events(AuditAction.DRIFT_CHECK_FAILED).size());
        assertEquals(Optional.empty(), record("prod/network").resultRun());
        assertEquals(Optional.of(T0), record("prod/network").resultAt());
    }

    @Test
    void theStateKeepsTheRunAndTimeOfTheLastFinishedCheckWhileTheNextIsPending() {
        DriftScheduler scheduler = scheduler("replica-a");
        RunId first = scheduler.round().submitted().get(0);
        end(first, change -> change.planSummary(Runs.SUMMARY));
        clock.advance(Duration.ofMinutes(5));
        scheduler.round();
        Instant recorded = clock.instant();

        clock.advance(Duration.ofHours(6));
        RunId second = scheduler.round().submitted().get(0);

        DriftRecord record = record("prod/network");
        assertEquals(DriftState.DRIFTED, record.state());
        assertEquals(Optional.of(first), record.resultRun());
        assertEquals(Optional.of(recorded), record.resultAt());
        assertEquals(Optional.of(second), record.lastRun());
        assertTrue(record.checkPending());
    }

    @Test
    void theTargetsShowTheCommitAndPlanSummaryOfTheCheckTheirStateComesFrom() {
        DriftScheduler scheduler = scheduler("replica-a");
        RunId first = scheduler.round().submitted().get(0);
        end(first, change -> change.planSummary(Runs.SUMMARY));
        scheduler.round();

        List<DriftStatus> targets = checks(scheduler, true).targets();

        assertEquals(1, targets.size());
        Run result = targets.get(0).result().orElseThrow();
        assertEquals(first, result.id());
        assertEquals(HEAD, result.spec().commit());
        assertEquals(Runs.SUMMARY.counts(), result.planSummary().orElseThrow().counts());
    }

    @Test
    void aTargetNeverCheckedShowsNoResultRun() {
        catalog.set(load(NOT_DUE));
        scheduler("replica-a").round();

        List<DriftStatus> targets = checks(scheduler("replica-a"), true).targets();

        assertEquals(List.of("prod/dns", "prod/network"), targets.stream().map(t -> t.record().id().folder().value()).toList());
        assertTrue(targets.stream().allMatch(t -> t.result().isEmpty() && t.record().state() == DriftState.UNKNOWN));
    }

    @Test
    void checkingNowIsAuditedNamingTheAdminWhoAsked() {
        catalog.set(load(NOT_DUE));

        DriftScheduler.Requested requested = checks(scheduler("replica-a"), true).checkNow(NETWORK, ADMIN);

        AuditEvent asked = events(AuditAction.DRIFT_CHECK_REQUESTED).get(0);
        assertEquals(ADMIN.identity().value(), asked.actor());
        assertEquals(AuditOutcome.SUCCESS, asked.outcome());
        assertEquals("infra:prod/network:prod", asked.resource().id());
        assertEquals(requested.run().value(), asked.resource().runId());
        assertEquals("false", asked.attributes().get("already_pending"));
        assertEquals("127.0.0.1:4000", asked.sourceAddress());
    }

    @Test
    void checkingNowWithoutTheAdminRoleIsRefusedAndAudited() {
        catalog.set(load(NOT_DUE));
        Actor auditor = new Actor(new SpiffeId("spiffe://test.example/human/auditor"), false, "127.0.0.1:4001");

        DomainException refused = assertThrows(DomainException.class,
                () -> checks(scheduler("replica-a"), true).checkNow(NETWORK, auditor));

        assertEquals(DomainException.Kind.DENIED, refused.kind());
        assertEquals("ROLE_REQUIRED", refused.reason());
        assertEquals(List.of(), allRuns());
        AuditEvent asked = events(AuditAction.DRIFT_CHECK_REQUESTED).get(0);
        assertEquals(AuditOutcome.DENIED, asked.outcome());
        assertEquals(auditor.identity().value(), asked.actor());
    }

    @Test
    void checkingNowIsRefusedWhenThisGatewayRunsNoDriftChecks() {
        catalog.set(load(NOT_DUE));

        DomainException refused = assertThrows(DomainException.class,
                () -> checks(scheduler("replica-a"), false).checkNow(NETWORK, ADMIN));

        assertEquals(DomainException.Kind.PRECONDITION, refused.kind());
        assertEquals("DRIFT_CHECKS_DISABLED", refused.reason());
        assertEquals(List.of(), allRuns());
    }

    /** The real store, but the replica dies between submitting a check and recording it. */
    private static final class CrashingDriftStore implements DriftStore {
        private final DriftStore real;

        CrashingDriftStore(DriftStore real) {
            this.real = real;
        }

        @Override
        public List<DriftRecord> all() {
            return real.all();
        }

        @Override
        public Optional<DriftRecord> find(DriftTargetId id) {
            return real.find(id);
        }

        @Override
        public boolean add(DriftTargetId id, Instant firstSeen, Instant firstDue) {
            return real.add(id, firstSeen, firstDue);
        }

        @Override
        public void remove(DriftTargetId id) {
            real.remove(id);
        }

        @Override
        public List<DriftRecord> due(Instant now, int max) {
            return real.due(now, max);
        }

        @Override
        public int pendingChecks() {
            return real.pendingChecks();
        }

        @Override
        public boolean claim(DriftTargetId id, String claimant, Instant now, Instant until) {
            return real.claim(id, claimant, now, until);
        }

        @Override
        public boolean claimNow(DriftTargetId id, String claimant, Instant now, Instant until) {
            return real.claimNow(id, claimant, now, until);
        }

        @Override
        public boolean submitted(DriftTargetId id, String claimant, RunId run, Instant start, Instant nextDue) {
            throw new IllegalStateException("killed before recording the submission");
        }

        @Override
        public boolean submitFailed(DriftTargetId id, String claimant, Instant start, Instant nextDue, String reason,
                Function<DriftRecord, List<AuditEvent>> audit) {
            return real.submitFailed(id, claimant, start, nextDue, reason, audit);
        }

        @Override
        public void release(DriftTargetId id, String claimant) {
            real.release(id, claimant);
        }

        @Override
        public Optional<DriftState> recordResult(DriftTargetId id, RunId run, DriftState state, String reason,
                Function<DriftRecord, List<AuditEvent>> audit) {
            return real.recordResult(id, run, state, reason, audit);
        }
    }
}
