package dev.portcullis.gateway.run;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.gateway.store.jdbc.JdbcRunStore;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CatalogName;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 in the gateway: the decision's steps, environment and timeout reach the executor; a
 * plan's summary is kept with its run, goes to the policy service with the apply (at submit and
 * again at dequeue), and its counts (never names or values) go into the audit trail.
 */
class PlanSummaryFlowTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final Actor CI = new Actor(Runs.CI, false, "127.0.0.1:5000");
    private static final Actor ALICE = new Actor(new SpiffeId("spiffe://test.example/human/alice"), false, "127.0.0.1:5001");
    private static final PlanArtifact ARTIFACT = new PlanArtifact("file:///plan", new Sha256Digest("c".repeat(64)), 10);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    private HikariDataSource dataSource;
    private RunStore store;
    private final MutableClock clock = MutableClock.at(T0);
    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private final AtomicReference<Decision> decision = new AtomicReference<>(Runs.TERRAFORM_PLAN);
    private final List<List<PolicyCheck.PlanBinding>> evaluated = new CopyOnWriteArrayList<>();
    private final List<TaskRunner.TaskRequest> started = new CopyOnWriteArrayList<>();
    /** What a followed task reports when it ends. */
    private final AtomicReference<TaskRunner.TaskStatus> ending = new AtomicReference<>();
    private final RunSignals signals = new RunSignals();
    private final RunSettings settings = new RunSettings(Duration.ofMinutes(30), DEFAULT_TIMEOUT, 100, 100,
            Duration.ofSeconds(15), Duration.ofMillis(20));
    private RunService runs;
    private RunDriver driver;

    @BeforeEach
    void open() {
        TestDatabases.Settings db = TestDatabases.freshH2();
        dataSource = Databases.open("gateway", db.jdbcUrl(), db.user(), db.password(), db.schema(), 4);
        store = new JdbcRunStore(dataSource, clock, audit.table(clock));
        PolicyCheck policy = (caller, spec, plan, breakGlass, claims, traceId) -> {
            evaluated.add(plan);
            return decision.get();
        };
        TaskRunner tasks = new TaskRunner() {
            @Override
            public TaskStatus start(TaskRequest request) {
                started.add(request);
                return new TaskStatus(TaskState.RUNNING, List.of(), "", List.of());
            }

            @Override
            public TaskStatus cancel(RunId run, String reason) {
                return new TaskStatus(TaskState.CANCELLED, List.of(), reason, List.of());
            }

            @Override
            public Subscription follow(RunId run, long fromOffset, Sink sink) {
                TaskStatus end = ending.get();
                if (end != null) {
                    sink.event(new StateChanged(fromOffset, end));
                    sink.ended(Optional.empty());
                }
                return () -> { };
            }
        };
        runs = new RunService(store, policy, tasks, audit, run -> { }, signals, settings, clock);
        driver = new RunDriver(store, policy, tasks, audit, signals, settings, clock, "spiffe://test.example/service/gateway");
    }

    @AfterEach
    void close() {
        driver.close();
        dataSource.close();
    }

    private Run submit(RunSpec spec, String key) {
        return runs.submit(new RunService.Submission(spec, key, "", TRACE), CI);
    }

    private void awaitState(RunId id, RunState state) {
        await("run " + id + " reaching " + state).atMost(WAIT).pollInterval(POLL)
                .untilAsserted(() -> assertEquals(state, runs.get(id).state(), runs.get(id).stateReason()));
    }

    /** A prod plan run that succeeded with {@link #ARTIFACT} and, when given, a summary. */
    private Run succeededPlan(Optional<PlanSummary> summary) {
        Run plan = submit(Runs.spec("prod/app", "prod", "plan"), "plan");
        store.update(plan.id(), r -> RunChange.to(RunState.RUNNING, ""));
        return store.update(plan.id(), r -> {
            RunChange change = RunChange.to(RunState.SUCCEEDED, "").exitCode(0).artifact(ARTIFACT);
            summary.ifPresent(change::planSummary);
            return change;
        });
    }

    private static RunSpec applyOf(Run plan) {
        return new RunSpec(plan.spec().repo(), plan.spec().commit(), plan.spec().ref(), plan.spec().folder(),
                plan.spec().environment(), new CatalogName("apply"), Optional.of(plan.id()));
    }

    private static Decision applyNeedingApprovals(int approvals) {
        return new Decision(true, Runs.ALLOW.reasons(), Runs.ALLOW.matchedRule(), approvals, Runs.ALLOW.catalogVersion(),
                List.of("terraform", "apply", "tfplan"), List.of(), "", true, List.of(), Runs.ALLOW.repoUrl());
    }

    private AuditEvent awaitEvent(AuditAction action) {
        await(action + " audited").atMost(WAIT).pollInterval(POLL)
                .until(() -> audit.events().stream().anyMatch(e -> e.action() == action));
        return audit.events().stream().filter(e -> e.action() == action).findFirst().orElseThrow();
    }

    @Test
    void theDispatcherSendsTheDecisionsStepsEnvironmentSummaryToolAndOwnTimeout() {
        Run run = submit(Runs.spec("stage/app", "stage", "plan"), "k");

        driver.start();
        awaitState(run.id(), RunState.RUNNING);

        TaskRunner.TaskRequest request = started.get(0);
        assertEquals(Runs.TERRAFORM_PLAN.steps(), request.steps());
        assertEquals(Map.of("TF_IN_AUTOMATION", "1", "TF_INPUT", "0"), request.env());
        assertEquals(PlanTool.TERRAFORM, request.planSummaryTool());
        assertEquals(Duration.ofMinutes(20), request.timeout());
    }

    @Test
    void aDecisionWithOnlyArgvIsDispatchedAsOneStepWithTheConfiguredTimeout() {
        decision.set(Runs.ALLOW);
        Run run = submit(Runs.spec("stage/app", "stage", "plan"), "k");

        driver.start();
        awaitState(run.id(), RunState.RUNNING);

        TaskRunner.TaskRequest request = started.get(0);
        assertEquals(List.of(new CommandStep(List.of("sh", "plan.sh"), false)), request.steps());
        assertEquals(Map.of(), request.env());
        assertEquals(PlanTool.NONE, request.planSummaryTool());
        assertEquals(DEFAULT_TIMEOUT, request.timeout());
    }

    @Test
    void aPlanTaskThatSucceedsWithASummaryKeepsItWithTheRunsArtifact() {
        ending.set(new TaskRunner.TaskStatus(TaskRunner.TaskState.SUCCEEDED, List.of(0), "", List.of(ARTIFACT),
                List.of(Runs.SUMMARY), List.of()));
        Run run = submit(Runs.spec("stage/app", "stage", "plan"), "k");

        driver.start();
        awaitState(run.id(), RunState.SUCCEEDED);

        Run ended = runs.get(run.id());
        assertEquals(ARTIFACT, ended.artifact().orElseThrow());
        assertEquals(Runs.SUMMARY, ended.planSummary().orElseThrow());
    }

    @Test
    void thePlanRunsEndIsAuditedWithTheSummaryCountsAndNoResourceNames() {
        ending.set(new TaskRunner.TaskStatus(TaskRunner.TaskState.SUCCEEDED, List.of(0), "", List.of(ARTIFACT),
                List.of(Runs.SUMMARY), List.of()));
        Run run = submit(Runs.spec("stage/app", "stage", "plan"), "k");

        driver.start();
        AuditEvent finished = awaitEvent(AuditAction.RUN_FINISHED);

        assertEquals(run.id().value(), finished.resource().runId());
        assertEquals("1", finished.attributes().get("plan_create"));
        assertEquals("0", finished.attributes().get("plan_update"));
        assertEquals("1", finished.attributes().get("plan_delete"));
        assertEquals("0", finished.attributes().get("plan_replace"));
        assertEquals("true", finished.attributes().get("plan_has_changes"));
        assertFalse(finished.attributes().values().stream().anyMatch(v -> v.contains("aws_db_instance")
                || v.contains("terraform_data") || v.contains("endpoint")), finished.attributes().toString());
    }

    @Test
    void aFailedStepIsNamedInTheStateReasonWithItsExitCode() {
        ending.set(new TaskRunner.TaskStatus(TaskRunner.TaskState.FAILED, List.of(1), "the command exited 1", List.of(),
                List.of(), List.of(1)));
        Run run = submit(Runs.spec("stage/app", "stage", "plan"), "k");

        driver.start();
        awaitState(run.id(), RunState.FAILED);

        Run failed = runs.get(run.id());
        assertEquals("step 1 of 2 failed (exit code 1): the command exited 1", failed.stateReason());
        assertEquals(1, failed.exitCode().orElseThrow());
    }

    @Test
    void anApplyIsEvaluatedWithItsPlansSummaryWhenSubmitted() {
        Run plan = succeededPlan(Optional.of(Runs.SUMMARY));
        decision.set(applyNeedingApprovals(1));

        submit(applyOf(plan), "apply");

        PolicyCheck.PlanBinding binding = evaluated.get(evaluated.size() - 1).get(0);
        assertEquals(plan.id(), binding.planRun());
        assertEquals(List.of(Runs.SUMMARY), binding.summary());
    }

    @Test
    void anApplyIsEvaluatedWithItsPlansSummaryAgainWhenItLeavesTheQueue() {
        Run plan = succeededPlan(Optional.of(Runs.SUMMARY));
        decision.set(applyNeedingApprovals(0));
        Run apply = submit(applyOf(plan), "apply");
        int atSubmit = evaluated.size();

        driver.start();
        awaitState(apply.id(), RunState.RUNNING);

        List<PolicyCheck.PlanBinding> atDequeue = evaluated.get(atSubmit);
        assertEquals(List.of(Runs.SUMMARY), atDequeue.get(0).summary());
        assertEquals(List.of(ARTIFACT), started.get(0).planArtifact());
    }

    @Test
    void anApplyOfAPlanWithoutSummaryIsEvaluatedWithNone() {
        Run plan = succeededPlan(Optional.empty());
        decision.set(applyNeedingApprovals(1));

        submit(applyOf(plan), "apply");

        assertEquals(List.of(), evaluated.get(evaluated.size() - 1).get(0).summary());
    }

    @Test
    void anApplyShowsThePlanSummaryOfThePlanItApplies() {
        Run plan = succeededPlan(Optional.of(Runs.SUMMARY));
        decision.set(applyNeedingApprovals(1));

        Run apply = submit(applyOf(plan), "apply");

        assertEquals(Optional.of(Runs.SUMMARY), runs.planSummaryOf(apply));
        assertEquals(Optional.empty(), apply.planSummary(), "the apply itself produced nothing");
    }

    @Test
    void theApprovalOfAnApplyIsAuditedWithItsPlansCounts() {
        Run plan = succeededPlan(Optional.of(Runs.SUMMARY));
        decision.set(applyNeedingApprovals(1));
        Run apply = submit(applyOf(plan), "apply");

        runs.approve(apply.id(), ALICE, ARTIFACT.sha256().value(), "read the summary");

        AuditEvent approved = audit.events().stream().filter(e -> e.action() == AuditAction.RUN_APPROVED).findFirst()
                .orElseThrow();
        assertEquals("1", approved.attributes().get("plan_create"));
        assertEquals("1", approved.attributes().get("plan_delete"));
        assertEquals("0", approved.attributes().get("plan_replace"));
        assertEquals("0", approved.attributes().get("plan_update"));
        assertEquals("true", approved.attributes().get("plan_has_changes"));
        assertTrue(approved.attributes().values().stream().noneMatch(v -> v.contains("aws_db_instance")));
    }
}
