package dev.portcullis.gateway.run;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.gateway.store.jdbc.JdbcRunStore;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.outbox.OutboxConfig;
import dev.portcullis.runtime.outbox.RecordingShipper;
import dev.portcullis.runtime.outbox.jdbc.AuditOutboxTable;
import dev.portcullis.runtime.outbox.jdbc.JdbcAuditOutbox;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.MutableClock;
import dev.portcullis.runtime.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A gateway killed after committing transitions but before its audit outbox shipped their events
 * (an outbox that never started shipping stands for the kill; it had no disk spool to lose) loses
 * none: the next gateway's outbox on the same database ships every one of them, each event id once.
 */
class GatewayKilledBeforeAuditShippedTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Actor CI = new Actor(Runs.CI, false, "127.0.0.1:5000");
    private static final Actor APPROVER = new Actor(new SpiffeId("spiffe://test.example/human/bob"), false, "127.0.0.1:5001");
    private static final String GATEWAY = "spiffe://test.example/service/gateway";
    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

    private final MutableClock clock = MutableClock.at(T0);
    private final RunSettings settings = new RunSettings(Duration.ofMinutes(30), Duration.ofMinutes(10), 100, 100,
            Duration.ofSeconds(15), Duration.ofMillis(20));
    private final AtomicReference<Decision> decision = new AtomicReference<>(needsOneApproval());
    private final PolicyCheck policy = (caller, spec, plan, breakGlass, claims, traceId) -> decision.get();
    private final TaskRunner noTasks = new TaskRunner() {
        @Override
        public TaskStatus start(TaskRequest request) {
            throw new AssertionError("every run here ends before it starts");
        }

        @Override
        public TaskStatus cancel(RunId run, String reason) {
            return new TaskStatus(TaskState.CANCELLED, List.of(), reason, List.of());
        }

        @Override
        public Subscription follow(RunId run, long fromOffset, Sink sink) {
            return () -> { };
        }
    };
    private final OutboxConfig outboxConfig = new OutboxConfig(null, 64L << 20, 500, Duration.ofMillis(5),
            Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofMillis(50));
    private TestDatabases.Settings db;
    private HikariDataSource dataSource;

    @BeforeEach
    void open() {
        db = TestDatabases.freshH2();
        dataSource = Databases.open("gateway", db.jdbcUrl(), db.user(), db.password(), db.schema(), 4);
    }

    @AfterEach
    void close() {
        dataSource.close();
        TestDatabases.drop(db);
    }

    private static Decision needsOneApproval() {
        return new Decision(true, Runs.ALLOW.reasons(), Runs.ALLOW.matchedRule(), 1, Runs.ALLOW.catalogVersion(),
                Runs.ALLOW.argv(), List.of(), "", false, List.of(), Runs.ALLOW.repoUrl());
    }

    private static Decision denied() {
        return new Decision(false, List.of(new Decision.Reason("NO_RULE", "no rule allows it", "")), "", 0,
                Runs.ALLOW.catalogVersion(), List.of(), List.of(), "", false, List.of(), Runs.ALLOW.repoUrl());
    }

    private Run submit(RunService runs, String folder, String key) {
        return runs.submit(new RunService.Submission(Runs.spec(folder, "prod", "plan"), key, "", TRACE), CI);
    }

    @Test
    void everyEventOfAKilledGatewayIsShippedExactlyOnceByTheNextOne() throws Exception {
        AuditOutboxTable dyingTable = new AuditOutboxTable(clock);
        JdbcRunStore dyingStore = new JdbcRunStore(dataSource, clock, dyingTable);
        JdbcAuditOutbox killed = new JdbcAuditOutbox(dataSource, dyingTable, outboxConfig, RecordingShipper.alwaysFailing(),
                clock); // never ships: killed before it could
        RunSignals dyingSignals = new RunSignals();
        RunService dying = new RunService(dyingStore, policy, noTasks, killed, run -> { }, dyingSignals, settings, clock);
        Run approved = submit(dying, "prod/a", "k1"); // a submit whose caller never retries
        Run rejected = submit(dying, "prod/b", "k2");
        Run cancelled = submit(dying, "prod/c", "k3");
        Run expired = submit(dying, "prod/d", "k4");
        dying.approve(approved.id(), APPROVER, "", "ok");
        dying.reject(rejected.id(), APPROVER, "not now");
        dying.cancel(cancelled.id(), CI, "superseded");
        decision.set(denied()); // the catalog changed: the approved run is denied when it leaves the queue
        clock.advance(Duration.ofMinutes(31));
        try (RunDriver dyingDriver = new RunDriver(dyingStore, policy, noTasks, killed, dyingSignals, settings, clock, GATEWAY)) {
            dyingDriver.start();
            await("the driver denied and expired").atMost(WAIT).pollInterval(POLL)
                    .until(() -> dying.get(approved.id()).state() == RunState.DENIED
                            && dying.get(expired.id()).state() == RunState.EXPIRED);
        }
        long pending = outboxRows();

        RecordingShipper auditService = RecordingShipper.working();
        try (JdbcAuditOutbox successor = new JdbcAuditOutbox(dataSource, new AuditOutboxTable(clock), outboxConfig,
                auditService, clock)) {
            successor.startShipping();
            await("the successor shipped the waiting events").atMost(WAIT).pollInterval(POLL)
                    .until(() -> outboxRows() == 0);
        }

        List<AuditAction> asked = List.of(AuditAction.RUN_SUBMITTED, AuditAction.POLICY_ALLOWED,
                AuditAction.RUN_AWAITING_APPROVAL);
        Map<String, List<AuditAction>> byRun = auditService.shipped().stream().collect(Collectors.groupingBy(
                e -> e.resource().runId(), Collectors.mapping(AuditEvent::action,
                        Collectors.collectingAndThen(Collectors.toList(), GatewayKilledBeforeAuditShippedTest::sorted))));
        assertEquals(Map.of(
                approved.id().value(), concat(asked, AuditAction.RUN_APPROVED, AuditAction.RUN_QUEUED, AuditAction.POLICY_DENIED),
                rejected.id().value(), concat(asked, AuditAction.RUN_REJECTED),
                cancelled.id().value(), concat(asked, AuditAction.RUN_CANCELLED),
                expired.id().value(), concat(asked, AuditAction.RUN_EXPIRED)), byRun);
        assertEquals(pending, auditService.shipped().size());
        assertEquals(pending, auditService.shipped().stream().map(AuditEvent::eventId).distinct().count(), "each event id once");
    }

    private long outboxRows() throws java.sql.SQLException {
        try (var connection = dataSource.getConnection(); var count = connection.prepareStatement(
                "SELECT COUNT(*) FROM audit_outbox"); var rows = count.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The actions, in a fixed order: a relay hands on the events of one transaction in any order. */
    private static List<AuditAction> concat(List<AuditAction> first, AuditAction... then) {
        List<AuditAction> all = new java.util.ArrayList<>(first);
        all.addAll(List.of(then));
        return sorted(all);
    }

    private static List<AuditAction> sorted(List<AuditAction> actions) {
        return actions.stream().sorted().toList();
    }
}
