package dev.portcullis.executor.task;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.secret.NoSecretSource;
import dev.portcullis.executor.task.jdbc.JdbcTaskStore;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.outbox.jdbc.AuditOutboxTable;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the executor's audit outbox in its task database, a task's started and ended events are
 * stored with the state changes they record, in their transactions, not handed to the recorder.
 */
class TaskAuditOutboxTest {
    @TempDir
    Path dir;

    private TestDatabases.Settings database;
    private HikariDataSource dataSource;
    private final RecordingAuditRecorder recorder = new RecordingAuditRecorder();
    private TaskService tasks;
    private GitRepository repo;

    @BeforeEach
    void start() throws Exception {
        database = TestDatabases.freshH2();
        dataSource = Databases.open("executor", database.jdbcUrl(), database.user(), database.password(), database.schema(), 4);
        repo = GitRepository.create(dir);
        TaskStore store = new JdbcTaskStore(dataSource, new AuditOutboxTable(Clock.systemUTC()));
        tasks = new TaskService(new LocalProcessTaskBackend(dir.resolve("work/tasks"), 2), new NoSecretSource(),
                new LocalArtifactStore(dir.resolve("artifacts")), recorder, Clock.systemUTC(), dir.resolve("work"), 1000,
                new TaskReplica(store, UUID.randomUUID().toString(), Duration.ofSeconds(15), TaskStores.TEST_POLL, true));
    }

    @AfterEach
    void stop() {
        tasks.close();
        dataSource.close();
    }

    private List<AuditEvent> outbox() throws Exception {
        List<AuditEvent> events = new ArrayList<>();
        try (var connection = dataSource.getConnection();
                var rows = connection.createStatement().executeQuery("SELECT event FROM audit_outbox ORDER BY seq")) {
            while (rows.next()) {
                events.add(AuditEvents.decode(rows.getBytes(1)));
            }
        }
        return events;
    }

    @Test
    void aTasksStartAndEndAreInTheAuditOutboxOfItsDatabaseInTheOrderTheyHappened() throws Exception {
        TaskSpec spec = new TaskSpec(RunId.random(), repo.path().toString(), new CommitSha(repo.commit()),
                RepoFolder.parse("stage/app"), "stage", List.of("sh", "-c", "echo hi"), Duration.ofSeconds(30));

        tasks.start(spec, List.of());

        await("the task ending").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> tasks.exhausted(spec.runId(), tasks.eventCount(spec.runId())));
        List<AuditEvent> stored = outbox();
        assertEquals(List.of(AuditAction.TASK_STARTED, AuditAction.TASK_FINISHED), stored.stream().map(AuditEvent::action).toList());
        assertEquals(TaskAuditor.endEventId(spec), stored.get(1).eventId());
        assertEquals("SUCCEEDED", stored.get(1).reason());
        assertTrue(recorder.events().stream().noneMatch(e -> e.action() == AuditAction.TASK_STARTED
                || e.action() == AuditAction.TASK_FINISHED), "not handed to the recorder as well");
    }
}
