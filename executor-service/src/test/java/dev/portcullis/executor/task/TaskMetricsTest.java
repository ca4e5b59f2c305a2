package dev.portcullis.executor.task;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.ArtifactHandoff;
import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.secret.NoSecretSource;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.telemetry.TelemetryConfig;
import dev.portcullis.runtime.telemetry.TelemetryEnvironment;
import dev.portcullis.runtime.testing.PrometheusScrape;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor's task metrics, scraped from its Prometheus endpoint. */
class TaskMetricsTest {
    @TempDir
    Path dir;

    private GitRepository repo;
    private Telemetry telemetry;
    private TaskService tasks;

    @BeforeEach
    void start() throws Exception {
        repo = GitRepository.create(dir);
        telemetry = TelemetryEnvironment.build("executor", new TelemetryConfig(0, "127.0.0.1"));
        tasks = new TaskService(new LocalProcessTaskBackend(dir.resolve("work/tasks"), 2), new NoSecretSource(),
                new LocalArtifactStore(dir.resolve("artifacts")), ArtifactHandoff.unsupported(), new RecordingAuditRecorder(),
                Clock.systemUTC(), dir.resolve("work"), 1000, telemetry, TaskStores.embedded(dir.resolve("work")));
    }

    @AfterEach
    void stop() {
        tasks.close();
        telemetry.close();
    }

    private TaskSpec spec(String... argv) {
        return new TaskSpec(RunId.random(), repo.path().toString(), new CommitSha(repo.commit()), RepoFolder.parse("stage/app"),
                "stage", List.of(argv), Duration.ofSeconds(30));
    }

    private void awaitState(RunId runId, TaskState state) throws InterruptedException {
        await("the task reaching " + state).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertEquals(state, tasks.get(runId).state(), "the task did not reach " + state));
    }

    private PrometheusScrape scrape() throws Exception {
        return PrometheusScrape.of(telemetry.prometheusAddress().orElseThrow());
    }

    @Test
    void endedTasksAreMeasuredByStateAndSecretFailuresCounted() throws Exception {
        TaskSpec ok = spec("true");
        TaskSpec needsSecrets = spec("true");

        tasks.start(ok, List.of());
        tasks.start(needsSecrets, List.of(SecretGrant.parse("kv:secret/data/prod/app")));
        awaitState(ok.runId(), TaskState.SUCCEEDED);

        PrometheusScrape scrape = scrape();
        assertEquals(1, scrape.sum("portcullis_executor_task_duration_seconds_count",
                Map.of("state", "SUCCEEDED", "artifact", "none")), scrape.text());
        assertEquals(1, scrape.sum("portcullis_executor_task_duration_seconds_count", Map.of("state", "FAILED")),
                scrape.text());
        assertEquals(1, scrape.sum("portcullis_executor_secret_failures_total", Map.of("phase", "start")), scrape.text());
    }

    @Test
    void unfinishedTasksAreCountedByState() throws Exception {
        TaskSpec sleeper = spec("sleep", "30");
        tasks.start(sleeper, List.of());
        awaitState(sleeper.runId(), TaskState.RUNNING);
        double running = scrape().sum("portcullis_executor_tasks", Map.of("state", "RUNNING"));

        tasks.cancel(sleeper.runId(), "by test");
        awaitState(sleeper.runId(), TaskState.CANCELLED);

        PrometheusScrape after = scrape();
        assertEquals(1, running);
        assertEquals(0, after.sum("portcullis_executor_tasks", Map.of("state", "RUNNING")), after.text());
        assertEquals(1, after.sum("portcullis_executor_task_duration_seconds_count", Map.of("state", "CANCELLED")),
                after.text());
    }
}
