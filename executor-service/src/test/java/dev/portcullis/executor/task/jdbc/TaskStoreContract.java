package dev.portcullis.executor.task.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.task.Task;
import dev.portcullis.executor.task.TaskBackend;
import dev.portcullis.executor.task.TaskEvent;
import dev.portcullis.executor.task.TaskSpec;
import dev.portcullis.executor.task.TaskState;
import dev.portcullis.executor.task.TaskStore;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.outbox.jdbc.AuditOutboxTable;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one contract every TaskStore meets, run against H2 and PostgreSQL. */
abstract class TaskStoreContract {
    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(15);
    private static final String ONE = "replica-one";
    private static final String TWO = "replica-two";

    private TestDatabases.Settings db;
    private HikariDataSource dataSource;
    private TaskStore store;

    protected abstract TestDatabases.Settings database();

    @BeforeEach
    void open() {
        db = database();
        dataSource = Databases.open("executor", db.jdbcUrl(), db.user(), db.password(), db.schema(), 8);
        store = new JdbcTaskStore(dataSource);
    }

    @AfterEach
    void close() {
        if (db == null) { // PostgreSQL was unreachable: the test skipped before opening anything
            return;
        }
        dataSource.close();
        TestDatabases.drop(db);
    }

    private static TaskStore.Header header(RunId runId) {
        TaskSpec spec = new TaskSpec(runId, "https://github.com/acme/infra-live.git",
                new CommitSha("0123456789abcdef0123456789abcdef01234567"), RepoFolder.parse("stage/app"), "stage",
                List.of("terraform", "apply", "-input=false"), Duration.ofHours(1));
        return new TaskStore.Header(spec, List.of(SecretGrant.parse("kv:secret/data/prod/app")), TaskBackend.Kind.ECS);
    }

    private static TaskEvent.StateChanged pending(RunId runId) {
        return new TaskEvent.StateChanged(0, T0, Task.pending(runId, TaskBackend.Kind.ECS, T0));
    }

    /** A new task held by ONE; its first event is stored. */
    private RunId created() {
        RunId runId = RunId.random();
        assertTrue(store.create(header(runId), pending(runId), ONE, T0.plus(LEASE)));
        return runId;
    }

    private static TaskEvent.Line line(long offset, TaskEvent.Stream stream, String text) {
        return new TaskEvent.Line(offset, T0.plusSeconds(offset), stream, text, false);
    }

    private static TaskEvent.StateChanged moved(long offset, Task from, TaskState to) {
        return new TaskEvent.StateChanged(offset, T0.plusSeconds(offset), from.moveTo(to, T0.plusSeconds(offset), ""));
    }

    @Test
    void aCreatedTaskIsFoundWithItsHeaderItsStateAndItsFirstEvent() {
        RunId runId = RunId.random();

        assertTrue(store.create(header(runId), pending(runId), ONE, T0.plus(LEASE)));

        TaskStore.Stored stored = store.find(runId).orElseThrow();
        assertEquals(header(runId), stored.header());
        assertEquals(pending(runId).task(), stored.task());
        assertFalse(stored.endAudited());
        assertEquals(List.of(pending(runId)), store.events(runId, 0, 10));
        assertEquals(1, store.eventCount(runId));
    }

    @Test
    void aRunIdWithoutATaskIsNotFound() {
        assertTrue(store.find(RunId.random()).isEmpty());
    }

    @Test
    void aSecondCreateOfTheSameRunIdStoresNothing() {
        RunId runId = created();

        assertFalse(store.create(header(runId), pending(runId), TWO, T0.plus(LEASE)));

        assertEquals(1, store.eventCount(runId));
        assertEquals(List.of(new TaskStore.Held(runId, "")), store.renew(ONE, T0.plus(LEASE)));
        assertEquals(List.of(), store.renew(TWO, T0.plus(LEASE)));
    }

    @Test
    void concurrentCreatesOfOneRunIdStoreExactlyOneTask() throws Exception {
        RunId runId = RunId.random();
        int replicas = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(replicas);
        try {
            List<Future<Boolean>> creates = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                String holder = "replica-" + i;
                Callable<Boolean> create = () -> {
                    go.await();
                    return store.create(header(runId), pending(runId), holder, T0.plus(LEASE));
                };
                creates.add(threads.submit(create));
            }
            go.countDown();
            int created = 0;
            for (Future<Boolean> create : creates) {
                created += create.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }

            assertEquals(1, created);
            assertEquals(1, store.eventCount(runId));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void eventsAreReadInOffsetOrderFromAnyOffset() {
        RunId runId = created();
        Task pending = pending(runId).task();
        TaskEvent.StateChanged starting = moved(1, pending, TaskState.STARTING);
        store.append(runId, starting, ONE);
        for (int i = 2; i < 10; i++) {
            store.append(runId, line(i, TaskEvent.Stream.STDOUT, "line " + i), ONE);
        }

        List<TaskEvent> all = store.events(runId, 0, 100);

        assertEquals(10, all.size());
        assertEquals(starting, all.get(1));
        assertEquals(all.subList(4, 7), store.events(runId, 4, 3));
        assertEquals(10, store.eventCount(runId));
        assertEquals(List.of(), store.events(runId, 10, 100));
    }

    @Test
    void aStateChangeBecomesTheTasksState() {
        RunId runId = created();
        TaskEvent.StateChanged starting = moved(1, pending(runId).task(), TaskState.STARTING);

        store.append(runId, starting, ONE);

        assertEquals(starting.task(), store.find(runId).orElseThrow().task());
    }

    @Test
    void eventsAppendedTogetherAreStoredAtTheirOffsetsWithTheLastStateAsTheTasksState() {
        RunId runId = created();
        TaskEvent.StateChanged starting = moved(1, pending(runId).task(), TaskState.STARTING);
        TaskEvent.Line step = line(2, TaskEvent.Stream.SYSTEM, "step 1/1: terraform apply");
        TaskEvent.StateChanged running = moved(3, starting.task(), TaskState.RUNNING);

        store.append(runId, List.of(starting, step, running), ONE, List.of());

        assertEquals(List.of(starting, step, running), store.events(runId, 1, 10));
        assertEquals(running.task(), store.find(runId).orElseThrow().task());
    }

    @Test
    void eventsAppendedTogetherAreStoredNoneWhenOneOfThemIsRefused() {
        RunId runId = created();
        store.append(runId, line(2, TaskEvent.Stream.STDOUT, "stored before"), ONE);
        TaskEvent.StateChanged starting = moved(1, pending(runId).task(), TaskState.STARTING);

        assertThrows(TaskStore.LeaseLostException.class, () -> store.append(runId,
                List.of(starting, line(2, TaskEvent.Stream.SYSTEM, "at a stored offset")), ONE, List.of()));

        assertEquals(List.of(line(2, TaskEvent.Stream.STDOUT, "stored before")), store.events(runId, 1, 10));
        assertEquals(TaskState.PENDING, store.find(runId).orElseThrow().task().state());
    }

    @Test
    void aFinalStateBeforeAnotherEventAppendedWithItIsRefused() {
        RunId runId = created();
        TaskEvent.StateChanged failed = moved(1, pending(runId).task(), TaskState.FAILED);

        assertThrows(IllegalArgumentException.class, () -> store.append(runId,
                List.of(failed, line(2, TaskEvent.Stream.SYSTEM, "after the end")), ONE, List.of()));

        assertEquals(1, store.eventCount(runId));
    }

    @Test
    void aStateChangeFromAReplicaWithoutTheLeaseIsRefusedAndNotStored() {
        RunId runId = created();

        assertThrows(TaskStore.LeaseLostException.class,
                () -> store.append(runId, moved(1, pending(runId).task(), TaskState.STARTING), TWO));

        assertEquals(1, store.eventCount(runId));
        assertEquals(TaskState.PENDING, store.find(runId).orElseThrow().task().state());
    }

    @Test
    void aLineFromAReplicaWithoutTheLeaseIsRefusedAndNotStored() {
        RunId runId = created();

        assertThrows(TaskStore.LeaseLostException.class,
                () -> store.append(runId, line(1, TaskEvent.Stream.STDOUT, "late"), TWO));

        assertEquals(1, store.eventCount(runId));
    }

    @Test
    void anOffsetStoredAlreadyIsRefused() {
        RunId runId = created();
        store.append(runId, line(1, TaskEvent.Stream.STDOUT, "first"), ONE);

        assertThrows(TaskStore.LeaseLostException.class,
                () -> store.append(runId, line(1, TaskEvent.Stream.STDOUT, "again"), ONE));

        assertEquals(List.of(line(1, TaskEvent.Stream.STDOUT, "first")), store.events(runId, 1, 10));
    }

    @Test
    void aFinalStateEndsTheLeaseSoNobodyClaimsTheTask() {
        RunId runId = created();
        Task starting = moved(1, pending(runId).task(), TaskState.STARTING).task();
        store.append(runId, new TaskEvent.StateChanged(1, T0, starting), ONE);

        store.append(runId, moved(2, starting, TaskState.FAILED), ONE);

        assertEquals(List.of(), store.renew(ONE, T0.plus(LEASE)));
        assertEquals(List.of(), store.unattended(T0.plus(Duration.ofDays(1)), 10));
        assertFalse(store.claim(runId, TWO, T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(2))));
    }

    @Test
    void aLeaseThatRanOutLetsAnotherReplicaClaimTheTaskAndFenceTheFormerHolder() {
        RunId runId = created();
        Instant later = T0.plus(LEASE).plusSeconds(1);

        assertEquals(List.of(), store.unattended(T0, 10));
        assertFalse(store.claim(runId, TWO, T0, T0.plus(LEASE)));
        assertEquals(List.of(runId), store.unattended(later, 10));
        assertTrue(store.claim(runId, TWO, later, later.plus(LEASE)));

        assertEquals(List.of(), store.renew(ONE, later.plus(LEASE)));
        assertEquals(List.of(new TaskStore.Held(runId, "")), store.renew(TWO, later.plus(LEASE)));
        assertThrows(TaskStore.LeaseLostException.class,
                () -> store.append(runId, line(1, TaskEvent.Stream.STDOUT, "from the former holder"), ONE));
    }

    @Test
    void releasedTasksAreUnattendedAtOnce() {
        RunId runId = created();

        store.release(ONE);

        assertEquals(List.of(runId), store.unattended(T0, 10));
        assertTrue(store.claim(runId, TWO, T0, T0.plus(LEASE)));
    }

    @Test
    void aCancelRequestReachesTheHolderWhenItRenews() {
        RunId runId = created();

        store.requestCancel(runId, "operator asked");
        store.requestCancel(runId, "asked again");

        assertEquals(List.of(new TaskStore.Held(runId, "operator asked")), store.renew(ONE, T0.plus(LEASE)));
    }

    @Test
    void anEndIsReportedNotAuditedUntilMarked() {
        RunId runId = created();
        Task starting = moved(1, pending(runId).task(), TaskState.STARTING).task();
        store.append(runId, new TaskEvent.StateChanged(1, T0, starting), ONE);
        store.append(runId, moved(2, starting, TaskState.FAILED), ONE);

        assertEquals(List.of(), store.endsNotAudited(T0, 10));
        assertEquals(List.of(runId), store.endsNotAudited(T0.plus(LEASE), 10));

        store.markEndAudited(runId);

        assertEquals(List.of(), store.endsNotAudited(T0.plus(LEASE), 10));
        assertTrue(store.find(runId).orElseThrow().endAudited());
    }

    private static dev.portcullis.runtime.audit.AuditEvent finished(RunId runId) {
        return dev.portcullis.runtime.audit.AuditEvent.builder("executor", dev.portcullis.runtime.audit.AuditAction.TASK_FINISHED, T0)
                .resource(new dev.portcullis.runtime.audit.AuditResource("task", runId.value(), "", runId.value()))
                .reason("FAILED")
                .build();
    }

    /** The events in the audit outbox table, in order. */
    private List<dev.portcullis.runtime.audit.AuditEvent> outboxEvents() throws Exception {
        List<dev.portcullis.runtime.audit.AuditEvent> events = new ArrayList<>();
        try (var connection = dataSource.getConnection();
                var rows = connection.createStatement().executeQuery("SELECT event FROM audit_outbox ORDER BY seq")) {
            while (rows.next()) {
                events.add(dev.portcullis.runtime.audit.AuditEvents.decode(rows.getBytes(1)));
            }
        }
        return events;
    }

    @Test
    void aStoreKeepingAuditStoresAnEndsAuditEventWithTheEndAndTheEndIsOnTheRecordAtOnce() throws Exception {
        TaskStore keeping = new JdbcTaskStore(dataSource, new AuditOutboxTable(java.time.Clock.systemUTC()));
        RunId runId = created();
        Task starting = moved(1, pending(runId).task(), TaskState.STARTING).task();
        keeping.append(runId, new TaskEvent.StateChanged(1, T0, starting), ONE);

        dev.portcullis.runtime.audit.AuditEvent end = finished(runId);

        keeping.append(runId, moved(2, starting, TaskState.FAILED), ONE, List.of(end));

        assertTrue(keeping.keepsAudit());
        assertEquals(List.of(end.eventId()), outboxEvents().stream().map(dev.portcullis.runtime.audit.AuditEvent::eventId).toList());
        assertTrue(keeping.find(runId).orElseThrow().endAudited());
        assertEquals(List.of(), keeping.endsNotAudited(T0.plus(Duration.ofDays(1)), 10));
    }

    @Test
    void aStateChangeRefusedForALostLeaseKeepsNoneOfItsAuditEvents() throws Exception {
        TaskStore keeping = new JdbcTaskStore(dataSource, new AuditOutboxTable(java.time.Clock.systemUTC()));
        RunId runId = created();
        Task starting = moved(1, pending(runId).task(), TaskState.STARTING).task();
        keeping.append(runId, new TaskEvent.StateChanged(1, T0, starting), ONE);

        assertThrows(TaskStore.LeaseLostException.class,
                () -> keeping.append(runId, moved(2, starting, TaskState.FAILED), TWO, List.of(finished(runId))));

        assertEquals(List.of(), outboxEvents());
    }

    @Test
    void aStoreWithoutAnAuditOutboxRefusesAuditEvents() {
        RunId runId = created();

        assertFalse(store.keepsAudit());
        assertThrows(IllegalArgumentException.class, () -> store.append(runId,
                moved(1, pending(runId).task(), TaskState.STARTING), ONE, List.of(finished(runId))));
        assertEquals(1, store.eventCount(runId));
    }

    @Test
    void onlyStdoutLinesCountAsTheLogAFollowerContinues() {
        RunId runId = created();
        store.append(runId, line(1, TaskEvent.Stream.SYSTEM, "ECS task PENDING"), ONE);
        store.append(runId, line(2, TaskEvent.Stream.STDOUT, "one"), ONE);
        store.append(runId, line(3, TaskEvent.Stream.STDERR, "warning"), ONE);
        store.append(runId, line(4, TaskEvent.Stream.STDOUT, "two"), ONE);

        assertEquals(2, store.stdoutLines(runId));
    }
}
