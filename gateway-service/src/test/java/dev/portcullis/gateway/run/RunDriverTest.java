package dev.portcullis.gateway.run;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.gateway.store.jdbc.JdbcRunStore;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.identity.Credential;
import dev.portcullis.runtime.identity.TokenClaims;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.MutableClock;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The driver's enforcement point: the decision is taken again when a run leaves the queue; approvals expire. */
class RunDriverTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Actor CI = new Actor(Runs.CI, false, "127.0.0.1:5000");

    private HikariDataSource dataSource;
    private RunStore store;
    private final MutableClock clock = MutableClock.at(T0);
    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private final AtomicReference<Decision> decision = new AtomicReference<>(Runs.ALLOW);
    private final List<RunId> started = new CopyOnWriteArrayList<>();
    /** The token claims of each policy question, in order. */
    private final List<TokenClaims> claimsAsked = new CopyOnWriteArrayList<>();
    /** What the executor answers StartTask with instead of starting; null: it starts the task. */
    private final AtomicReference<DomainException> startRefusal = new AtomicReference<>();
    /** What happens while the executor starts a task, before it answers. */
    private final AtomicReference<Runnable> duringStart = new AtomicReference<>(() -> { });
    /** The runs whose task the driver asked the executor to stop, in order. */
    private final List<RunId> cancelled = new CopyOnWriteArrayList<>();
    private final RunSignals signals = new RunSignals();
    private final RunSettings settings = new RunSettings(Duration.ofMinutes(30), Duration.ofMinutes(10), 100, 100,
            Duration.ofSeconds(15), Duration.ofMillis(20));
    private RunService runs;
    private RunDriver driver;

    @BeforeEach
    void open() {
        TestDatabases.Settings db = TestDatabases.freshH2();
        dataSource = Databases.open("gateway", db.jdbcUrl(), db.user(), db.password(), db.schema(), 4);
        store = new JdbcRunStore(dataSource, clock, audit.table(clock));
        PolicyCheck policy = (caller, spec, plan, breakGlass, claims, traceId) -> {
            claimsAsked.add(claims);
            return decision.get();
        };
        TaskRunner tasks = new TaskRunner() {
            @Override
            public TaskStatus start(TaskRequest request) {
                DomainException refusal = startRefusal.get();
                if (refusal != null) {
                    throw refusal;
                }
                started.add(request.run());
                duringStart.get().run();
                return new TaskStatus(TaskState.RUNNING, List.of(), "", List.of());
            }

            @Override
            public TaskStatus cancel(RunId run, String reason) {
                cancelled.add(run);
                return new TaskStatus(TaskState.CANCELLED, List.of(), reason, List.of());
            }

            @Override
            public Subscription follow(RunId run, long fromOffset, Sink sink) {
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

    private void awaitState(RunId id, RunState state) {
        await("run " + id + " reaching " + state).atMost(WAIT).pollInterval(POLL)
                .untilAsserted(() -> assertEquals(state, runs.get(id).state(), runs.get(id).stateReason()));
    }

    /** The driver audits right after it stored a transition: wait for the record, not just the state. */
    private void awaitAudited(Predicate<AuditEvent> wanted) {
        await("the audit record").atMost(WAIT).pollInterval(POLL).until(() -> audit.events().stream().anyMatch(wanted));
    }

    @Test
    void aRunTheCatalogNowDeniesEndsDeniedWithTheNewReasonsWhenItLeavesTheQueue() throws Exception {
        Run run = runs.submit(new RunService.Submission(Runs.spec("stage/app", "stage", "plan"), "k", "",
                "0af7651916cd43dd8448eb211c80319c"), CI);
        assertEquals(RunState.QUEUED, run.state());
        decision.set(new Decision(false, List.of(new Decision.Reason("REF_NOT_ALLOWED", "the new catalog allows only tags", "ref")),
                "", 0, "b".repeat(64), List.of(), List.of(), "", false, List.of(), ""));

        driver.start();
        awaitState(run.id(), RunState.DENIED);

        assertTrue(runs.get(run.id()).stateReason().contains("the new catalog allows only tags"));
        assertEquals("b".repeat(64), runs.get(run.id()).decision().catalogVersion());
        assertEquals(List.of(), started, "no task started");
        awaitAudited(e -> e.action() == AuditAction.POLICY_DENIED && "dequeue".equals(e.attributes().get("when")));
    }

    @Test
    void aTokenCallersRunIsDecidedAtDequeueWithTheClaimsItWasSubmittedWithAfterTheTokenIsGone() throws Exception {
        RunSpec spec = Runs.spec("stage/app", "stage", "plan");
        Map<String, String> claims = Map.of("ref_protected", "true", "job_workflow_ref",
                "acme/deploy/.github/workflows/apply.yml@refs/heads/main");
        Actor tokenCaller = new Actor(Runs.CI, false, "127.0.0.1:5003", new Credential.IdentityToken("github",
                spec.commit(), spec.ref(), "jti-1", T0.plus(Duration.ofMinutes(5)), claims));
        Run run = runs.submit(new RunService.Submission(spec, "k", "", "0af7651916cd43dd8448eb211c80319c"), tokenCaller);
        clock.advance(Duration.ofMinutes(10)); // the token has expired by the time the run leaves the queue

        driver.start();
        awaitState(run.id(), RunState.RUNNING);
        awaitAudited(e -> e.action() == AuditAction.RUN_STARTED);

        assertEquals(List.of(new TokenClaims(claims), new TokenClaims(claims)), claimsAsked);
        assertEquals(new TokenClaims(claims), runs.get(run.id()).claims());
    }

    @Test
    void aCertificateCallersRunIsDecidedWithoutClaimsAtSubmissionAndAtDequeue() throws Exception {
        Run run = runs.submit(new RunService.Submission(Runs.spec("stage/app", "stage", "plan"), "k", "",
                "0af7651916cd43dd8448eb211c80319c"), CI);

        driver.start();
        awaitState(run.id(), RunState.RUNNING);
        awaitAudited(e -> e.action() == AuditAction.RUN_STARTED);

        assertEquals(List.of(TokenClaims.NONE, TokenClaims.NONE), claimsAsked);
    }

    @Test
    void anAllowedQueuedRunStartsItsTaskAndRuns() throws Exception {
        Run run = runs.submit(new RunService.Submission(Runs.spec("stage/app", "stage", "plan"), "k", "",
                "0af7651916cd43dd8448eb211c80319c"), CI);

        driver.start();
        awaitState(run.id(), RunState.RUNNING);

        assertEquals(List.of(run.id()), started);
        awaitAudited(e -> e.action() == AuditAction.RUN_STARTED);
    }

    @Test
    void aQueuedRunWhoseTaskCannotStartSaysWhyInItsLogOnceAMinuteAndStartsWhenItCan() throws Exception {
        startRefusal.set(new DomainException(DomainException.Kind.UNAVAILABLE, "EXECUTOR_UNAVAILABLE",
                "the executor did not answer (INTERNAL)", Map.of()));
        Run run = runs.submit(new RunService.Submission(Runs.spec("stage/app", "stage", "plan"), "k", "",
                "0af7651916cd43dd8448eb211c80319c"), CI);

        driver.start();
        await("the first word on the wait").atMost(WAIT).pollInterval(POLL).until(() -> waitLines(run.id()).size() == 1);
        assertTrue(waitLines(run.id()).get(0).contains("the executor did not answer (INTERNAL)"), waitLines(run.id()).toString());
        assertEquals(RunState.QUEUED, runs.get(run.id()).state());
        clock.advance(Dispatcher.TELL_WAITING_EVERY.minusSeconds(1));
        signals.changed();
        clock.advance(Duration.ofSeconds(2));
        await("the second word, a minute later").atMost(WAIT).pollInterval(POLL).until(() -> waitLines(run.id()).size() == 2);
        startRefusal.set(null);
        awaitState(run.id(), RunState.RUNNING);

        assertEquals(2, waitLines(run.id()).size(), "told twice in a minute and a bit: " + waitLines(run.id()));
    }

    private List<String> waitLines(RunId id) {
        return runs.events(id, 0, 100).stream().filter(e -> e instanceof RunEvent.LogLine line
                && line.stream() == RunEvent.Stream.SYSTEM).map(e -> ((RunEvent.LogLine) e).text()).toList();
    }

    @Test
    void aRunWaitingForApprovalPastItsDeadlineExpires() throws Exception {
        decision.set(new Decision(true, Runs.ALLOW.reasons(), Runs.ALLOW.matchedRule(), 1, Runs.ALLOW.catalogVersion(),
                Runs.ALLOW.argv(), List.of(), "", false, List.of(), Runs.ALLOW.repoUrl()));
        Run run = runs.submit(new RunService.Submission(Runs.spec("prod/app", "prod", "plan"), "k", "",
                "0af7651916cd43dd8448eb211c80319c"), CI);
        assertEquals(RunState.AWAITING_APPROVAL, run.state());

        clock.advance(Duration.ofMinutes(31));
        driver.start();
        awaitState(run.id(), RunState.EXPIRED);

        awaitAudited(e -> e.action() == AuditAction.RUN_EXPIRED);
        assertEquals(List.of(), started);
    }

    @Test
    void aRunCancelledWhileItsTaskStartsHasItsTaskStopped() throws Exception {
        Run run = runs.submit(new RunService.Submission(Runs.spec("stage/app", "stage", "plan"), "k", "",
                "0af7651916cd43dd8448eb211c80319c"), CI);
        duringStart.set(() -> runs.cancel(run.id(), CI, "changed my mind"));

        driver.start();

        await("the task stopped").atMost(WAIT).pollInterval(POLL).until(() -> cancelled.contains(run.id()));
        assertEquals(RunState.CANCELLED, runs.get(run.id()).state());
    }

    @Test
    void aRunningRunTakenOverByANewDriverIsFollowedWithoutRecordingItsStartAgain() throws Exception {
        Run run = runs.submit(new RunService.Submission(Runs.spec("stage/app", "stage", "plan"), "k", "",
                "0af7651916cd43dd8448eb211c80319c"), CI);
        driver.start();
        awaitState(run.id(), RunState.RUNNING);
        driver.close(); // its start's events committed with RUNNING: nothing is left to repair
        CountDownLatch followed = new CountDownLatch(1);

        try (RunDriver successor = new RunDriver(store, (caller, spec, plan, breakGlass, claims, traceId) -> decision.get(),
                new TaskRunner() {
                    @Override
                    public TaskStatus start(TaskRequest request) {
                        throw new AssertionError("a running run is never started again");
                    }

                    @Override
                    public TaskStatus cancel(RunId id, String reason) {
                        return new TaskStatus(TaskState.CANCELLED, List.of(), reason, List.of());
                    }

                    @Override
                    public Subscription follow(RunId id, long fromOffset, Sink sink) {
                        followed.countDown();
                        return () -> { };
                    }
                }, audit, signals, settings, clock, "spiffe://test.example/service/gateway")) {
            successor.start();

            assertTrue(followed.await(10, TimeUnit.SECONDS), "the successor takes the run over");
        }

        assertEquals(1, audit.events().stream().filter(e -> e.action() == AuditAction.RUN_STARTED).count());
        assertEquals(1, audit.events().stream().filter(e -> e.action() == AuditAction.POLICY_ALLOWED
                && "dequeue".equals(e.attributes().get("when"))).count());
    }
}
