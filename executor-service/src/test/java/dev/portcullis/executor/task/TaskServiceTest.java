package dev.portcullis.executor.task;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.secret.NoSecretSource;
import dev.portcullis.executor.secret.SecretSource;
import dev.portcullis.executor.secret.TaskSecrets;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tasks run for real, their lines redacted before anything can read them. */
class TaskServiceTest {
    private static final Duration POLL = Duration.ofMillis(20);
    private static final String SECRET = "s3cr3t-database-password";

    @TempDir
    Path dir;

    private GitRepository repo;
    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private TaskService tasks;

    /** Hands out one fixed secret for any grant; the Vault implementation is tested against a Vault HTTP API. */
    private static final SecretSource ONE_SECRET = grants -> TaskSecrets.of(
            grants.isEmpty() ? Map.of() : Map.of("DB_PASSWORD", SECRET),
            grants.isEmpty() ? Map.of() : Map.of("secret/data/prod/app#DB_PASSWORD", SECRET));

    @BeforeEach
    void start() throws Exception {
        repo = GitRepository.create(dir);
        tasks = new TaskService(new LocalProcessTaskBackend(dir.resolve("work/tasks"), 2), ONE_SECRET,
                new LocalArtifactStore(dir.resolve("artifacts")), audit, Clock.systemUTC(), dir.resolve("work"), 1000,
                TaskStores.embedded(dir.resolve("work")));
    }

    @AfterEach
    void stop() {
        tasks.close();
    }

    private TaskSpec spec(String... argv) {
        return new TaskSpec(RunId.random(), repo.path().toString(), new CommitSha(repo.commit()), RepoFolder.parse("stage/app"),
                "stage", List.of(argv), Duration.ofSeconds(30));
    }

    private List<TaskEvent> awaitEnd(RunId runId) throws Exception {
        await("the task ending").atMost(Duration.ofSeconds(60)).pollInterval(POLL).untilAsserted(() -> assertTrue(
                tasks.get(runId).state().isFinal() && tasks.exhausted(runId, tasks.eventCount(runId)), "the task did not end"));
        return tasks.events(runId, 0, 10_000);
    }

    private static List<String> lines(List<TaskEvent> events) {
        List<String> lines = new ArrayList<>();
        events.forEach(event -> {
            if (event instanceof TaskEvent.Line line && line.stream() != TaskEvent.Stream.SYSTEM) {
                lines.add(line.text());
            }
        });
        return lines;
    }

    @Test
    void aTaskRunsThroughItsStatesWithDenseOffsets() throws Exception {
        TaskSpec spec = spec("sh", "-c", "echo one; echo two");

        tasks.start(spec, List.of());

        List<TaskEvent> events = awaitEnd(spec.runId());
        assertEquals(TaskState.SUCCEEDED, tasks.get(spec.runId()).state());
        assertEquals(List.of("one", "two"), lines(events));
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i, events.get(i).offset());
        }
        assertEquals(events.subList(3, events.size()), tasks.events(spec.runId(), 3, 10_000));
    }

    @Test
    void aLocalCommandStartingIsOneStateChangeRunningUnderItsPid() throws Exception {
        TaskSpec spec = spec("sh", "-c", "echo one");

        tasks.start(spec, List.of());

        List<Task> states = new ArrayList<>();
        awaitEnd(spec.runId()).forEach(event -> {
            if (event instanceof TaskEvent.StateChanged changed) {
                states.add(changed.task());
            }
        });
        assertEquals(List.of(TaskState.PENDING, TaskState.STARTING, TaskState.RUNNING, TaskState.SUCCEEDED),
                states.stream().map(Task::state).toList());
        assertTrue(states.get(2).backendRef().startsWith("pid:"), states.get(2).backendRef());
        assertTrue(states.get(2).startedAt().isPresent());
    }

    @Test
    void aSecretNeverLeavesInTheLogAndItsLeakIsAudited() throws Exception {
        TaskSpec spec = spec("sh", "-c", "echo password is $DB_PASSWORD; printf %s \"$DB_PASSWORD\" | base64");

        tasks.start(spec, List.of(SecretGrant.parse("kv:secret/data/prod/app")));

        List<TaskEvent> events = awaitEnd(spec.runId());
        String all = String.join("\n", lines(events));
        assertFalse(all.contains(SECRET), all);
        assertTrue(all.contains("password is [REDACTED]"), all);
        assertTrue(audit.events().stream().anyMatch(e -> e.action() == AuditAction.SECRET_LEAK_DETECTED));
        assertTrue(audit.events().stream().noneMatch(e -> e.toString().contains(SECRET)));
    }

    @Test
    void startingTheSameTaskAgainRunsItOnce() throws Exception {
        TaskSpec spec = spec("sh", "-c", "echo once");

        tasks.start(spec, List.of());
        tasks.start(spec, List.of());

        assertEquals(List.of("once"), lines(awaitEnd(spec.runId())));
    }

    @Test
    void theSameRunWithOtherContentIsAConflict() throws Exception {
        TaskSpec spec = spec("sh", "-c", "echo a");
        tasks.start(spec, List.of());

        DomainException e = assertThrows(DomainException.class, () -> tasks.start(
                new TaskSpec(spec.runId(), spec.repoUrl(), spec.commit(), spec.folder(), "stage", List.of("rm", "-rf", "/"),
                        spec.timeout()), List.of()));

        assertEquals("TASK_CONFLICT", e.reason());
        assertEquals(List.of("a"), lines(awaitEnd(spec.runId())));
    }

    @Test
    void aTaskThatNeedsSecretsFailsClearlyWithoutVault() throws Exception {
        TaskService noVault = new TaskService(new LocalProcessTaskBackend(dir.resolve("work2/tasks"), 1), new NoSecretSource(),
                new LocalArtifactStore(dir.resolve("artifacts")), audit, Clock.systemUTC(), dir.resolve("work2"), 1000,
                TaskStores.embedded(dir.resolve("work2")));
        try {
            TaskSpec spec = spec("true");

            Task task = noVault.start(spec, List.of(SecretGrant.parse("kv:secret/data/prod/app")));

            assertEquals(TaskState.FAILED, task.state());
            assertEquals(TaskFailure.SECRETS_UNAVAILABLE, task.failure());
            assertTrue(task.stopReason().contains("Vault"), task.stopReason());
        } finally {
            noVault.close();
        }
    }

    @Test
    void cancellingStopsTheTask() throws Exception {
        TaskSpec spec = spec("sleep", "30");
        tasks.start(spec, List.of());
        await("the task running").atMost(Duration.ofSeconds(30)).pollInterval(POLL)
                .untilAsserted(() -> assertEquals(TaskState.RUNNING, tasks.get(spec.runId()).state()));

        tasks.cancel(spec.runId(), "operator asked");

        awaitEnd(spec.runId());
        assertEquals(TaskState.CANCELLED, tasks.get(spec.runId()).state());
        assertEquals("cancelled: operator asked", tasks.get(spec.runId()).stopReason());
    }

    @Test
    void anUnknownRunIsNotFound() {
        DomainException e = assertThrows(DomainException.class, () -> tasks.get(RunId.random()));

        assertEquals("TASK_NOT_FOUND", e.reason());
    }
}
