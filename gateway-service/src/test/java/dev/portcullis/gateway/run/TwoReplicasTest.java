package dev.portcullis.gateway.run;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.gateway.store.jdbc.JdbcRunStore;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestDatabases;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.TokenClaims;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateway replicas sharing one PostgreSQL database: every run starts exactly once, runs for
 * one (repo, folder, environment) start in submission order and one at a time, and a replica
 * that stops hands its runs to the other; a dispatch blocked past the lease keeps it, so no run is
 * driven by both.
 */
class TwoReplicasTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(50);
    /** A short lease, as the reliability suite runs with. */
    private static final Duration LEASE = Duration.ofSeconds(2);
    private TestDatabases.Settings db;
    private HikariDataSource dataSource;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final RecordingTasks tasks = new RecordingTasks();

    @BeforeEach
    void open() {
        db = TestDatabases.freshPostgresSchema();
        dataSource = Databases.open("gateway", db.jdbcUrl(), db.user(), db.password(), db.schema(), 16);
    }

    @AfterEach
    void close() throws Exception {
        if (db == null) { // PostgreSQL was unreachable: the test skipped before opening anything
            return;
        }
        Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            c.close();
        }
        dataSource.close();
        TestDatabases.drop(db);
    }

    /** A replica: its own store object, service, driver and signals over the shared database. */
    private RunService replica() {
        return replica(new RunDriver[1]);
    }

    private RunService replica(RunDriver[] driverOut) {
        return replica(driverOut, Duration.ofSeconds(3), (caller, spec, plan, breakGlass, claims, traceId) -> Runs.ALLOW);
    }

    /** A replica whose driver asks {@code dequeuePolicy} when a run leaves the queue (submissions are allowed at once). */
    private RunService replica(RunDriver[] driverOut, Duration lease, PolicyCheck dequeuePolicy) {
        PolicyCheck allow = (caller, spec, plan, breakGlass, claims, traceId) -> Runs.ALLOW;
        RecordingAuditRecorder audit = new RecordingAuditRecorder();
        RunStore store = new JdbcRunStore(dataSource, Clock.systemUTC(), audit.table(Clock.systemUTC()));
        RunSignals signals = new RunSignals();
        RunSettings settings = new RunSettings(Duration.ofHours(1), Duration.ofMinutes(5), 10_000, 10_000,
                lease, Duration.ofMillis(50));
        RunDriver driver = new RunDriver(store, dequeuePolicy, tasks, audit, signals, settings, Clock.systemUTC(),
                "spiffe://test.example/service/gateway");
        driver.start();
        closing.add(driver);
        driverOut[0] = driver;
        return new RunService(store, allow, tasks, audit, run -> { }, signals, settings,
                Clock.systemUTC());
    }

    @Test
    void runsForOneLockStartOnceEachInSubmissionOrderAcrossReplicas() throws Exception {
        List<RunService> replicas = List.of(replica(), replica());
        List<RunId> submitted = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Run run = replicas.get(i % 2).submit(new RunService.Submission(Runs.spec("stage/app", "stage", "plan"), "job-" + i, "",
                    "0af7651916cd43dd8448eb211c80319c"), new Actor(Runs.CI, false, "127.0.0.1:1"));
            submitted.add(run.id());
        }

        for (RunId id : submitted) {
            awaitFinal(replicas.get(0), id);
        }

        assertEquals(submitted, tasks.startOrder, "one start per run, in submission order");
        assertEquals(1, tasks.maxConcurrent.get(), "never two runs of one lock at once");
        for (RunId id : submitted) {
            Run run = replicas.get(1).get(id);
            assertEquals(RunState.SUCCEEDED, run.state());
            List<String> lines = replicas.get(1).events(id, 0, 100).stream()
                    .filter(e -> e instanceof RunEvent.LogLine).map(e -> ((RunEvent.LogLine) e).text()).toList();
            assertEquals(List.of("hello from " + id), lines, "each log line copied exactly once");
        }
    }

    @Test
    void aRunningRunOfAStoppedReplicaIsFinishedByTheOtherWithItsLogCopiedOnce() throws Exception {
        tasks.holdFirstWatch = true;
        RunDriver[] first = new RunDriver[1];
        RunService a = replica(first);
        Run run = a.submit(new RunService.Submission(Runs.spec("stage/app", "stage", "plan"), "job-handover", "",
                "0af7651916cd43dd8448eb211c80319c"), new Actor(Runs.CI, false, "127.0.0.1:1"));
        await("the first line copied").atMost(WAIT).pollInterval(POLL).until(() -> a.events(run.id(), 0, 10).size() >= 3);
        assertEquals(3, a.events(run.id(), 0, 10).size(), "QUEUED, RUNNING and the first line are copied");

        RunService b = replica();
        first[0].close();
        awaitFinal(b, run.id());

        assertEquals(RunState.SUCCEEDED, b.get(run.id()).state());
        assertEquals(List.of(run.id()), tasks.startOrder, "started once");
        List<String> lines = b.events(run.id(), 0, 100).stream()
                .filter(e -> e instanceof RunEvent.LogLine).map(e -> ((RunEvent.LogLine) e).text()).toList();
        assertEquals(List.of("hello from " + run.id()), lines);
    }

    @Test
    void aDispatchBlockedPastTheLeaseKeepsTheRunsLease() throws Exception {
        BlockingPolicy policy = new BlockingPolicy();
        RunService a = replica(new RunDriver[1], LEASE, policy);
        Run run = a.submit(new RunService.Submission(Runs.spec("stage/app", "stage", "plan"), "job-slow", "",
                "0af7651916cd43dd8448eb211c80319c"), new Actor(Runs.CI, false, "127.0.0.1:1"));
        assertTrue(policy.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the dispatch reached the policy");
        Instant blockedAt = Instant.now();

        await("the lease renewed while the dispatch is blocked").atMost(WAIT).pollInterval(POLL)
                .until(() -> leaseUntil(run.id()).isAfter(blockedAt.plus(LEASE.multipliedBy(2))));

        RunStore other = new JdbcRunStore(dataSource, Clock.systemUTC(), new RecordingAuditRecorder().table(Clock.systemUTC()));
        Instant now = Instant.now();
        assertFalse(other.claim(run.id(), "replica-b", now, now.plus(LEASE)), "nobody else may claim the run");
    }

    @Test
    void twoReplicasWithAShortLeaseUnderABlockedDispatchCopyEachRunOnceAndCancelNothing() throws Exception {
        BlockingPolicy policy = new BlockingPolicy();
        List<RunService> replicas = List.of(replica(new RunDriver[1], LEASE, policy), replica(new RunDriver[1], LEASE, policy));
        List<RunId> submitted = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Run run = replicas.get(i % 2).submit(new RunService.Submission(Runs.spec("stage/app" + i, "stage", "plan"),
                    "job-" + i, "", "0af7651916cd43dd8448eb211c80319c"), new Actor(Runs.CI, false, "127.0.0.1:1"));
            submitted.add(run.id());
        }
        assertTrue(policy.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS), "a dispatch reached the policy");
        Instant blockedAt = Instant.now();
        // three leases: without renewal of its own, the blocked replica's lease ran out and the other took the run
        await("three leases pass while the dispatch is blocked").atMost(WAIT).pollInterval(POLL)
                .until(() -> Instant.now().isAfter(blockedAt.plus(LEASE.multipliedBy(3))));

        policy.gate.countDown();
        for (RunId id : submitted) {
            awaitFinal(replicas.get(0), id);
        }

        assertEquals(List.of(), tasks.cancelled, "nobody asked to cancel a task");
        for (RunId id : submitted) {
            assertEquals(RunState.SUCCEEDED, replicas.get(1).get(id).state(), "run " + id);
            List<String> lines = replicas.get(1).events(id, 0, 100).stream()
                    .filter(e -> e instanceof RunEvent.LogLine).map(e -> ((RunEvent.LogLine) e).text()).toList();
            assertEquals(List.of("hello from " + id), lines, "each log line copied exactly once");
        }
    }

    @Test
    void aReplicaThatLostARunStopsCopyingItsTask() throws Exception {
        tasks.holdFirstWatch = true;
        RunService a = replica();
        Run run = a.submit(new RunService.Submission(Runs.spec("stage/app", "stage", "plan"), "job-lost", "",
                "0af7651916cd43dd8448eb211c80319c"), new Actor(Runs.CI, false, "127.0.0.1:1"));
        await("the first line copied").atMost(WAIT).pollInterval(POLL).until(() -> a.events(run.id(), 0, 10).size() >= 3);

        takeOver(run.id(), "replica-b");

        assertTrue(tasks.followEnded.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the replica stopped following the task");
        assertEquals(List.of(), tasks.cancelled, "the task is the other replica's: not cancelled");
        assertEquals(3, a.events(run.id(), 0, 10).size(), "nothing more copied");
    }

    /**
     * Makes another replica the run's driver, as when this one's lease ran out (its database
     * connection stalled past the lease) and the other claimed the run.
     */
    private void takeOver(RunId id, String owner) throws Exception {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update = connection.prepareStatement(
                        "UPDATE runs SET owner = ?, lease_until = ? WHERE run_id = ?")) {
            update.setString(1, owner);
            update.setObject(2, OffsetDateTime.now().plusMinutes(1));
            update.setString(3, id.value());
            assertEquals(1, update.executeUpdate());
        }
    }

    private Instant leaseUntil(RunId id) throws Exception {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT lease_until FROM runs WHERE run_id = ?")) {
            select.setString(1, id.value());
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                OffsetDateTime until = rows.getObject(1, OffsetDateTime.class);
                return until == null ? Instant.MIN : until.toInstant();
            }
        }
    }

    /**
     * A policy whose first decision blocks until {@link #gate} opens, as a slow policy service
     * under load does; the rest allow at once.
     */
    private static final class BlockingPolicy implements PolicyCheck {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch gate = new CountDownLatch(1);
        private final AtomicBoolean first = new AtomicBoolean(true);

        @Override
        public Decision evaluate(SpiffeId caller, RunSpec spec, List<PlanBinding> plan, boolean breakGlass, TokenClaims claims,
                String traceId) {
            if (first.compareAndSet(true, false)) {
                entered.countDown();
                try {
                    gate.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Runs.ALLOW;
        }
    }

    private static void awaitFinal(RunService service, RunId id) {
        await("run " + id + " ending").atMost(WAIT).pollInterval(POLL)
                .untilAsserted(() -> assertTrue(service.get(id).state().isFinal(), "run " + id + " did not end: " + service.get(id)));
    }

    /** An executor that records starts and runs each task to success with one log line. */
    private static final class RecordingTasks implements TaskRunner {
        final List<RunId> startOrder = Collections.synchronizedList(new ArrayList<>());
        final Map<RunId, Boolean> started = new ConcurrentHashMap<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        final Map<RunId, Boolean> watched = new ConcurrentHashMap<>();
        final List<RunId> cancelled = Collections.synchronizedList(new ArrayList<>());
        /** Counted down when a follower lets go of a task's event stream. */
        final CountDownLatch followEnded = new CountDownLatch(1);
        volatile boolean holdFirstWatch;

        @Override
        public TaskStatus start(TaskRequest request) {
            if (started.putIfAbsent(request.run(), true) == null) {
                startOrder.add(request.run());
                maxConcurrent.accumulateAndGet(running.incrementAndGet(), Math::max);
            }
            return new TaskStatus(TaskState.RUNNING, List.of(), "", List.of());
        }

        @Override
        public TaskStatus cancel(RunId run, String reason) {
            cancelled.add(run);
            return new TaskStatus(TaskState.CANCELLED, List.of(), reason, List.of());
        }

        @Override
        public Subscription follow(RunId run, long fromOffset, Sink sink) {
            boolean hold = holdFirstWatch && watched.putIfAbsent(run, true) == null;
            Thread thread = new Thread(() -> {
                if (fromOffset <= 0) {
                    sink.event(new Line(0, RunEvent.Stream.STDOUT, "hello from " + run, false));
                }
                if (hold) {
                    return; // the task keeps running; this watcher's replica goes away
                }
                running.decrementAndGet();
                sink.event(new StateChanged(1, new TaskStatus(TaskState.SUCCEEDED, List.of(0), "", List.of())));
                sink.ended(Optional.empty());
            });
            thread.start();
            return followEnded::countDown;
        }
    }
}
