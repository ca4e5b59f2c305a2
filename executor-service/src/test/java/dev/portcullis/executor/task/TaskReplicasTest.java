package dev.portcullis.executor.task;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.secret.NoSecretSource;
import dev.portcullis.runtime.audit.AuditAction;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replicas of the executor on the local backend, sharing one PostgreSQL task store. */
class TaskReplicasTest {
    @TempDir
    Path dir;

    private GitRepository repo;
    private TestDatabases.Settings database;
    private TaskStore store;
    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private final List<TaskService> services = new ArrayList<>();

    @BeforeEach
    void shareOneStore() throws Exception {
        database = TestDatabases.freshPostgresSchema();
        store = TaskStores.open(database);
        repo = GitRepository.create(dir);
    }

    @AfterEach
    void stop() {
        services.forEach(TaskService::close);
        TestDatabases.drop(database);
    }

    private TaskService replica(String name) {
        Path state = dir.resolve(name);
        TaskService service = new TaskService(new LocalProcessTaskBackend(state.resolve("tasks"), 2), new NoSecretSource(),
                new LocalArtifactStore(state.resolve("artifacts")), audit, Clock.systemUTC(), state, 1000,
                TaskStores.replica(store));
        services.add(service);
        return service;
    }

    private TaskSpec spec(String script) {
        return new TaskSpec(RunId.random(), repo.path().toString(), new CommitSha(repo.commit()), RepoFolder.parse("stage/app"),
                "stage", List.of("sh", "-c", script), Duration.ofMinutes(1));
    }

    @Test
    void aLocalTaskOfAKilledReplicaEndsFailedOnTheReplicaLeftOnceTheLeaseRunsOut() throws Exception {
        TaskService first = replica("first");
        TaskService second = replica("second");
        TaskSpec spec = spec("echo started; sleep 2");
        first.start(spec, List.of());
        await("the task running").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> first.get(spec.runId()).state() == TaskState.RUNNING);

        first.abandon();

        await("the task taken over").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> second.get(spec.runId()).state().isFinal());
        Task task = second.get(spec.runId());
        assertEquals(TaskState.FAILED, task.state());
        assertEquals(TaskFailure.EXECUTOR_RESTARTED, task.failure());
        assertEquals(TaskRegistry.REPLICA_LOST, task.stopReason());
        await("the end audited").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> audit.events().stream().anyMatch(e -> e.action() == AuditAction.TASK_FINISHED
                        && e.reason().equals("EXECUTOR_RESTARTED")));
    }
}
