package dev.portcullis.executor.task;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.secret.SecretSource;
import dev.portcullis.executor.secret.TaskSecrets;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tasks outlive the executor: a new one on the same (embedded) task database answers for them with their whole log. */
class TaskRestartTest {
    private static final Duration POLL = Duration.ofMillis(20);
    private static final String SECRET = "s3cr3t-database-password";
    private static final SecretSource ONE_SECRET = grants -> TaskSecrets.of(
            grants.isEmpty() ? Map.of() : Map.of("DB_PASSWORD", SECRET),
            grants.isEmpty() ? Map.of() : Map.of("secret/data/prod/app#DB_PASSWORD", SECRET));

    @TempDir
    Path dir;

    private GitRepository repo;
    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private final List<TaskService> services = new ArrayList<>();

    @BeforeEach
    void repository() throws Exception {
        repo = GitRepository.create(dir);
    }

    @AfterEach
    void stop() {
        services.forEach(TaskService::close);
    }

    private TaskService service(int memoryLines) {
        Path state = dir.resolve("executor");
        TaskService service = new TaskService(new LocalProcessTaskBackend(state.resolve("tasks"), 2), ONE_SECRET,
                new LocalArtifactStore(state.resolve("artifacts")), audit, Clock.systemUTC(), state, memoryLines,
                TaskStores.embedded(state));
        services.add(service);
        return service;
    }

    static TaskSpec longTask(RunId runId, String repo, String commit) {
        return CrashingExecutor.spec(runId, repo, commit);
    }

    private TaskSpec spec(String... argv) {
        return new TaskSpec(RunId.random(), repo.path().toString(), new CommitSha(repo.commit()), RepoFolder.parse("stage/app"),
                "stage", List.of(argv), Duration.ofSeconds(30), TaskArtifacts.NONE.producing(new ArtifactPath("out.txt")));
    }

    private static void awaitEnd(TaskService tasks, RunId runId) throws Exception {
        await("the task ending").atMost(Duration.ofSeconds(60)).pollInterval(POLL)
                .untilAsserted(() -> assertTrue(tasks.exhausted(runId, tasks.eventCount(runId)), "the task did not end"));
    }

    /** Every task header, state and event the embedded database in {@code state} holds, as Latin-1 text. */
    private static String storedBytes(Path state) throws Exception {
        StringBuilder text = new StringBuilder();
        try (var connection = java.sql.DriverManager.getConnection(
                dev.portcullis.executor.task.jdbc.JdbcTaskStore.embeddedUrl(state), "sa", "");
                var rows = connection.createStatement().executeQuery("SELECT header, task FROM tasks")) {
            while (rows.next()) {
                text.append(new String(rows.getBytes(1), java.nio.charset.StandardCharsets.ISO_8859_1));
                text.append(new String(rows.getBytes(2), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        try (var connection = java.sql.DriverManager.getConnection(
                dev.portcullis.executor.task.jdbc.JdbcTaskStore.embeddedUrl(state), "sa", "");
                var rows = connection.createStatement().executeQuery("SELECT event FROM task_events")) {
            while (rows.next()) {
                text.append(new String(rows.getBytes(1), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return text.toString();
    }

    private static List<String> stdout(List<TaskEvent> events) {
        return events.stream().filter(e -> e instanceof TaskEvent.Line l && l.stream() == TaskEvent.Stream.STDOUT)
                .map(e -> ((TaskEvent.Line) e).text()).toList();
    }

    @Test
    void aFinishedTaskIsAnsweredForAfterARestartWithItsWholeRedactedLogAndIsNeverRunAgain() throws Exception {
        TaskService first = service(1000);
        TaskSpec spec = spec("sh", "-c", "echo one; echo password $DB_PASSWORD; echo done > out.txt; echo two");
        List<dev.portcullis.catalog.SecretGrant> grants = List.of(
                dev.portcullis.catalog.SecretGrant.parse("kv:secret/data/prod/app"));
        first.start(spec, grants);
        awaitEnd(first, spec.runId());
        Task before = first.get(spec.runId());
        List<TaskEvent> eventsBefore = first.events(spec.runId(), 0, 10_000);
        first.close();

        TaskService second = service(1000);

        assertEquals(before, second.get(spec.runId()));
        assertTrue(before.artifact().isPresent());
        assertEquals(eventsBefore, second.events(spec.runId(), 0, 10_000));
        assertEquals(List.of("one", "password [REDACTED]", "two"), stdout(eventsBefore));
        assertTrue(second.exhausted(spec.runId(), eventsBefore.size()));
        assertEquals(before, second.start(spec, grants));
        assertEquals(eventsBefore.size(), second.eventCount(spec.runId()));
        String stored = storedBytes(dir.resolve("executor"));
        assertTrue(stored.contains("password [REDACTED]"), "the log is in the database, redacted");
        assertFalse(stored.contains(SECRET));
    }

    @Test
    void aStartTaskRetriedAfterARestartIsTheSameTaskWhateverTraceItComesFrom() throws Exception {
        // found by the reliability suite: the journal did not keep the trace id, so the gateway's
        // retried StartTask (same run, same trace) was refused as a conflicting task after a restart
        TaskService first = service(1000);
        TaskSpec plain = spec("sh", "-c", "echo traced");
        TaskSpec traced = new TaskSpec(plain.runId(), plain.repoUrl(), plain.commit(), plain.folder(), plain.environment(),
                plain.steps(), plain.env(), plain.timeout(), plain.artifacts(), "0af7651916cd43dd8448eb211c80319c");
        first.start(traced, List.of());
        awaitEnd(first, traced.runId());
        Task before = first.get(traced.runId());
        first.close();

        TaskService second = service(1000);

        assertEquals(before, second.start(traced, List.of()));
        TaskSpec otherTrace = new TaskSpec(traced.runId(), traced.repoUrl(), traced.commit(), traced.folder(),
                traced.environment(), traced.steps(), traced.env(), traced.timeout(), traced.artifacts(),
                "4bf92f3577b34da6a3ce929d0e0e4736");
        assertEquals(before, second.start(otherTrace, List.of()));
        TaskSpec otherCommand = new TaskSpec(traced.runId(), traced.repoUrl(), traced.commit(), traced.folder(),
                traced.environment(), List.of("sh", "-c", "echo other"), traced.timeout(), traced.artifacts(), traced.traceId());
        DomainException conflict = assertThrows(DomainException.class, () -> second.start(otherCommand, List.of()));
        assertEquals("TASK_CONFLICT", conflict.reason());
    }

    @Test
    void aLocalTaskRunningWhenTheExecutorDiedIsMarkedFailedAndItsProcessKilled() throws Exception {
        RunId runId = RunId.random();
        Path state = dir.resolve("executor");
        Process crashing = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingExecutor.class.getName(),
                state.toString(), repo.path().toString(), repo.commit(), runId.value())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long pid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(crashing.getInputStream()))) {
            String line = out.readLine();
            // logback prints its status to stdout when two logback-test.xml are on the classpath (reactor builds)
            while (line != null && !line.startsWith("RUNNING ")) {
                line = out.readLine();
            }
            assertTrue(line != null && line.startsWith("RUNNING "), "the crashing executor did not start its task: " + line);
            pid = Long.parseLong(line.substring("RUNNING ".length()));
        }
        ProcessHandle orphan = ProcessHandle.of(pid).orElseThrow();

        crashing.destroyForcibly();
        assertTrue(crashing.waitFor(30, TimeUnit.SECONDS));
        assertTrue(orphan.isAlive(), "the task's process outlives the executor that died");
        TaskService restarted = service(1000);

        Task task = restarted.get(runId);
        assertEquals(TaskState.FAILED, task.state());
        assertEquals(TaskFailure.EXECUTOR_RESTARTED, task.failure());
        assertEquals("executor restarted while the task ran", task.stopReason());
        orphan.onExit().get(30, TimeUnit.SECONDS);
        assertFalse(orphan.isAlive());
        assertEquals(List.of("started"), stdout(restarted.events(runId, 0, 1000)));
        assertEquals(task, restarted.start(longTask(runId, repo.path().toString(), repo.commit()), List.of()));
        assertTrue(audit.events().stream().anyMatch(e -> e.action() == AuditAction.TASK_FINISHED
                && e.reason().equals("EXECUTOR_RESTARTED")));
        try (var left = Files.list(state.resolve("tasks"))) {
            assertEquals(0, left.count(), "the dead executor's task directory is removed");
        }
    }

    @Test
    void aTaskEndTheExecutorDiedBeforeAuditingIsAuditedOnRestartUnderTheSameEventId() throws Exception {
        // found by the reliability suite: a SIGKILL between journaling a task's end and the outbox
        // taking task.finished lost the audit event for good (about 1 run in 10)
        RunId runId = RunId.random();
        Path state = dir.resolve("executor");
        Process crashing = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingExecutor.class.getName(),
                state.toString(), repo.path().toString(), repo.commit(), runId.value(), "ending")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(crashing.getInputStream()))) {
            String line = out.readLine();
            while (line != null && !line.equals("ENDING")) {
                line = out.readLine();
            }
            assertEquals("ENDING", line, "the crashing executor did not end its task");
        }
        crashing.destroyForcibly();
        assertTrue(crashing.waitFor(30, TimeUnit.SECONDS));

        TaskService restarted = service(1000);

        Task task = restarted.get(runId);
        assertEquals(TaskState.SUCCEEDED, task.state());
        List<AuditEvent> finished = audit.events().stream().filter(e -> e.action() == AuditAction.TASK_FINISHED).toList();
        assertEquals(1, finished.size());
        assertEquals(TaskAuditor.endEventId(CrashingExecutor.shortSpec(runId, repo.path().toString(), repo.commit())),
                finished.get(0).eventId());
        assertEquals("SUCCEEDED", finished.get(0).reason());
        assertEquals(task.endedAt().orElseThrow().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), finished.get(0).time());
    }

    @Test
    void aTaskEndAlreadyAuditedIsNotAuditedAgainOnRestart() throws Exception {
        TaskService first = service(1000);
        TaskSpec spec = spec("sh", "-c", "echo done > out.txt");
        first.start(spec, List.of());
        awaitEnd(first, spec.runId());
        first.close();
        long before = audit.events().stream().filter(e -> e.action() == AuditAction.TASK_FINISHED).count();

        service(1000);

        assertEquals(1, before);
        assertEquals(before, audit.events().stream().filter(e -> e.action() == AuditAction.TASK_FINISHED).count());
    }

    @Test
    void onlyTheNewestEventsStayInMemoryAndOlderOnesComeFromTheStore() throws Exception {
        TaskService tasks = service(100);
        TaskSpec spec = new TaskSpec(RunId.random(), repo.path().toString(), new CommitSha(repo.commit()),
                RepoFolder.parse("stage/app"), "stage", List.of("sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i+1)); done"),
                Duration.ofSeconds(60));

        tasks.start(spec, List.of());
        awaitEnd(tasks, spec.runId());

        assertEquals(100, tasks.eventsInMemory(spec.runId()));
        List<TaskEvent> all = new ArrayList<>();
        for (long offset = 0; !tasks.exhausted(spec.runId(), offset); offset = all.size()) {
            all.addAll(tasks.events(spec.runId(), offset, 333));
        }
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i, all.get(i).offset());
        }
        List<String> lines = stdout(all);
        assertEquals(2000, lines.size());
        for (int i = 0; i < 2000; i++) {
            assertEquals("line " + i, lines.get(i));
        }
        assertEquals(all.subList(1234, 1240), tasks.events(spec.runId(), 1234, 6));
    }
}
