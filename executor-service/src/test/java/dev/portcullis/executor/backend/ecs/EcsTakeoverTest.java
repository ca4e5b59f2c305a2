package dev.portcullis.executor.backend.ecs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.ArtifactHandoff;
import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.backend.ecs.EcsFake.Script;
import dev.portcullis.executor.secret.SecretSource;
import dev.portcullis.executor.secret.TaskSecrets;
import dev.portcullis.executor.task.Task;
import dev.portcullis.executor.task.TaskEvent;
import dev.portcullis.executor.task.TaskService;
import dev.portcullis.executor.task.TaskSpec;
import dev.portcullis.executor.task.TaskState;
import dev.portcullis.executor.task.TaskStore;
import dev.portcullis.executor.task.TaskStores;
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
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * Two executor replicas sharing one PostgreSQL task store, over the ECS backend (the real AWS SDK
 * against {@link EcsFake}): the replica following a task is killed, and the other takes it over
 * once its lease runs out, without launching it again and without a gap or a repeat in its log.
 */
class EcsTakeoverTest {
    private static final String SECRET = "s3cr3t-database-password";
    private static final SecretSource ONE_SECRET = grants -> TaskSecrets.of(
            grants.isEmpty() ? Map.of() : Map.of("DB_PASSWORD", SECRET),
            grants.isEmpty() ? Map.of() : Map.of("secret/data/prod/app#DB_PASSWORD", SECRET));
    private static final List<SecretGrant> GRANTS = List.of(SecretGrant.parse("kv:secret/data/prod/app"));

    @TempDir
    Path dir;

    private final EcsFake fake = EcsFake.start(EcsTaskRunnerTest.CLUSTER, EcsTaskRunnerTest.LOG_GROUP,
            EcsTaskRunnerTest.STREAM_PREFIX);
    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final TaskSpec spec = new TaskSpec(RunId.random(), "https://github.com/acme/infra-live.git",
            new CommitSha("0123456789abcdef0123456789abcdef01234567"), RepoFolder.parse("stage/app"), "stage",
            List.of("terraform", "apply", "-input=false"), Duration.ofHours(1));
    private TestDatabases.Settings database;
    private TaskStore store;

    @BeforeEach
    void shareOneStore() {
        database = TestDatabases.freshPostgresSchema();
        store = TaskStores.open(database);
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        fake.close();
        TestDatabases.drop(database);
    }

    private TaskService replica(String name) {
        EcsConfig config = new EcsConfig(EcsTaskRunnerTest.CLUSTER, "portcullis-task:7", "runner",
                List.of("subnet-0123456789abcdef0"), List.of("sg-0123456789abcdef0"), EcsFake.REGION,
                EcsTaskRunnerTest.LOG_GROUP, EcsTaskRunnerTest.STREAM_PREFIX, Duration.ofMillis(2), Duration.ofMillis(20),
                fake.endpoint().toString());
        EcsClient ecs = EcsSdkClients.ecs(config, EcsTaskRunnerTest.TEST_CREDENTIALS);
        CloudWatchLogsClient logs = EcsSdkClients.logs(config, EcsTaskRunnerTest.TEST_CREDENTIALS);
        closeables.add(ecs);
        closeables.add(logs);
        TaskService service = new TaskService(new EcsTaskBackend(new EcsTaskRunner(config, ecs, logs, Clock.systemUTC())),
                ONE_SECRET, new LocalArtifactStore(dir.resolve(name + "/artifacts")), ArtifactHandoff.unsupported(), audit,
                Clock.systemUTC(), dir.resolve(name), 100, TaskStores.replica(store));
        closeables.add(service);
        return service;
    }

    private static List<String> stdout(List<TaskEvent> events) {
        return events.stream().filter(e -> e instanceof TaskEvent.Line l && l.stream() == TaskEvent.Stream.STDOUT)
                .map(e -> ((TaskEvent.Line) e).text()).toList();
    }

    /** What a WatchTask from {@code from} through {@code tasks} receives, as it receives it, until the stream ends. */
    private static Thread watch(TaskService tasks, RunId runId, long from, List<TaskEvent> received) {
        Thread watcher = new Thread(() -> {
            long offset = from;
            try {
                while (!tasks.exhausted(runId, offset)) {
                    List<TaskEvent> events = tasks.events(runId, offset, 2);
                    received.addAll(events);
                    offset += events.size();
                    if (events.isEmpty()) {
                        tasks.awaitEvent(runId, offset, Duration.ofSeconds(1));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "watcher");
        watcher.start();
        return watcher;
    }

    @Test
    void theReplicaLeftTakesOverAKilledReplicasEcsTaskWithoutRelaunchingItOrLosingOrRepeatingALine() throws Exception {
        fake.nextTask(Script.runsUntilStopped(List.of("line 1", "line 2 " + SECRET, "line 3")));
        TaskService first = replica("first");
        TaskService second = replica("second");
        first.start(spec, GRANTS);
        await("the first replica following the task").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> stdout(first.events(spec.runId(), 0, 1000)).size() == 3);
        List<TaskEvent> watchedThroughTheSecond = new CopyOnWriteArrayList<>();
        Thread watcher = watch(second, spec.runId(), 0, watchedThroughTheSecond);
        String taskArn = first.get(spec.runId()).backendRef();

        first.abandon(); // killed: its lease is neither renewed nor given up
        fake.appendLogs(taskArn, List.of("line 4", "line 5"));
        await("the second replica taking the task over").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> stdout(second.events(spec.runId(), 0, 1000)).size() == 5);
        fake.finish(taskArn, 0);
        watcher.join(Duration.ofSeconds(30).toMillis());

        List<TaskEvent> all = second.events(spec.runId(), 0, 1000);
        assertEquals(TaskState.SUCCEEDED, second.get(spec.runId()).state());
        assertEquals(List.of("line 1", "line 2 [REDACTED]", "line 3", "line 4", "line 5"), stdout(all));
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i, all.get(i).offset(), "offsets are dense");
        }
        assertEquals(all, watchedThroughTheSecond, "the watcher switched from the store to the live log without a gap or a repeat");
        assertTrue(all.stream().anyMatch(e -> e instanceof TaskEvent.Line l
                && l.text().equals("another executor replica follows the task now")));
        assertEquals(1, fake.calls("RunTask"));
    }

    @Test
    void aStartTaskThroughTheOtherReplicaReturnsTheRunningTaskAndLaunchesNothing() throws Exception {
        fake.nextTask(Script.runsUntilStopped(List.of("line 1")));
        TaskService first = replica("first");
        TaskService second = replica("second");
        first.start(spec, GRANTS);
        await("the task running").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> first.get(spec.runId()).state() == TaskState.RUNNING);

        Task again = second.start(spec, GRANTS);

        assertEquals(first.get(spec.runId()), again);
        assertEquals(1, fake.calls("RunTask"));
    }

    @Test
    void aCancelThroughTheReplicaNotFollowingTheTaskStopsIt() throws Exception {
        fake.nextTask(Script.runsUntilStopped(List.of("Applying...")));
        TaskService first = replica("first");
        TaskService second = replica("second");
        first.start(spec, GRANTS);
        await("the task running").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> first.get(spec.runId()).state() == TaskState.RUNNING);

        second.cancel(spec.runId(), "operator asked");

        await("the task stopping").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> second.get(spec.runId()).state().isFinal());
        assertEquals(TaskState.CANCELLED, second.get(spec.runId()).state());
        assertEquals("operator asked", fake.requests("StopTask").get(0).body().get("reason"));
    }
}
