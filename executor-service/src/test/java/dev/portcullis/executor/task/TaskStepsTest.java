package dev.portcullis.executor.task;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.secret.SecretSource;
import dev.portcullis.executor.secret.TaskSecrets;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tasks of several steps with their command's env, run for real on the local backend. */
class TaskStepsTest {
    private static final String SECRET = "s3cr3t-database-password";
    private static final SecretSource ONE_SECRET = grants -> TaskSecrets.of(
            grants.isEmpty() ? Map.of() : Map.of("DB_PASSWORD", SECRET),
            grants.isEmpty() ? Map.of() : Map.of("secret/data/prod/app#DB_PASSWORD", SECRET));

    @TempDir
    Path dir;

    private GitRepository repo;
    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private TaskService tasks;

    @BeforeEach
    void start() throws Exception {
        repo = GitRepository.create(dir);
        tasks = service();
    }

    private TaskService service() {
        return new TaskService(new LocalProcessTaskBackend(dir.resolve("work/tasks"), 2), ONE_SECRET,
                new LocalArtifactStore(dir.resolve("artifacts")), audit, Clock.systemUTC(), dir.resolve("work"), 1000,
                TaskStores.embedded(dir.resolve("work")));
    }

    @AfterEach
    void stop() {
        tasks.close();
    }

    private TaskSpec spec(Map<String, String> env, String... scripts) {
        return new TaskSpec(RunId.random(), repo.path().toString(), new CommitSha(repo.commit()), RepoFolder.parse("stage/app"),
                "stage", java.util.Arrays.stream(scripts).map(s -> TaskStep.of(List.of("sh", "-c", s))).toList(), env,
                Duration.ofSeconds(30), TaskArtifacts.NONE, "");
    }

    private Task awaitEnd(RunId runId) {
        await("the task ending").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertTrue(tasks.get(runId).state().isFinal() && tasks.exhausted(runId, tasks.eventCount(runId))));
        return tasks.get(runId);
    }

    private List<String> stdout(RunId runId) {
        return tasks.events(runId, 0, 10_000).stream()
                .filter(e -> e instanceof TaskEvent.Line line && line.stream() == TaskEvent.Stream.STDOUT)
                .map(e -> ((TaskEvent.Line) e).text()).toList();
    }

    @Test
    void theCommandsEnvReachesEveryStepBesideTheGrantedSecrets() throws Exception {
        TaskSpec spec = spec(Map.of("TF_IN_AUTOMATION", "1"), "echo first=$TF_IN_AUTOMATION",
                "echo second=$TF_IN_AUTOMATION secret=${DB_PASSWORD:+set}");

        tasks.start(spec, List.of(SecretGrant.parse("kv:secret/data/prod/app")));

        assertEquals(TaskState.SUCCEEDED, awaitEnd(spec.runId()).state());
        assertEquals(List.of("first=1", "second=1 secret=set"), stdout(spec.runId()));
    }

    @Test
    void aFailedStepIsNamedOnTheTaskAndItsAuditEvent() throws Exception {
        TaskSpec spec = spec(Map.of(), "true", "exit 5", "echo never");

        tasks.start(spec, List.of());

        Task task = awaitEnd(spec.runId());
        assertEquals(TaskState.FAILED, task.state());
        assertEquals(OptionalInt.of(5), task.exitCode());
        assertEquals(OptionalInt.of(2), task.failedStep());
        assertEquals("step 2/3 exited with 5", task.stopReason());
        AuditEvent finished = audit.events().stream().filter(e -> e.action() == AuditAction.TASK_FINISHED).findFirst().orElseThrow();
        assertEquals("2", finished.attributes().get("failed_step"));
    }

    @Test
    void aFailedStepIsStillNamedAfterARestart() throws Exception {
        TaskSpec spec = spec(Map.of(), "exit 3");
        tasks.start(spec, List.of());
        awaitEnd(spec.runId());
        tasks.close();

        tasks = service();

        assertEquals(OptionalInt.of(1), tasks.get(spec.runId()).failedStep());
    }

    @Test
    void aGrantedSecretThatSetsAVariableOfTheCommandsEnvFailsTheTaskBeforeItRuns() throws Exception {
        TaskSpec spec = spec(Map.of("DB_PASSWORD", "from-the-catalog"), "echo ran");

        tasks.start(spec, List.of(SecretGrant.parse("kv:secret/data/prod/app")));

        Task task = awaitEnd(spec.runId());
        assertEquals(TaskFailure.SECRETS_UNAVAILABLE, task.failure());
        assertEquals("a granted secret defines DB_PASSWORD, which the command's env also sets", task.stopReason());
        assertEquals(List.of(), stdout(spec.runId()));
    }
}
