package dev.portcullis.executor.task;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.secret.TaskSecrets;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A StartTask that fails before its task is stored (here its first state cannot be made) leaves
 * nothing behind: otherwise every retry would find a task that never launches, and the run would
 * wait with its lock for ever. Found by review (then of the task journal; the task store creates
 * a task and its first state in one transaction).
 */
class TaskStartFailureTest {
    @TempDir
    Path dir;

    /** Fails every reading while armed. */
    static final class FailingAfterHeader extends Clock {
        volatile boolean armed;

        @Override
        public Instant instant() {
            if (armed) {
                throw new IllegalStateException("simulated: the first state cannot be written");
            }
            return Instant.now();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void aStartTaskThatFailedBeforeItsTaskWasStoredCanBeRetriedWithoutARestart() throws Exception {
        GitRepository repo = GitRepository.create(dir);
        Path state = dir.resolve("executor");
        FailingAfterHeader clock = new FailingAfterHeader();
        TaskService service = new TaskService(new LocalProcessTaskBackend(state.resolve("tasks"), 2),
                grants -> TaskSecrets.of(java.util.Map.of(), java.util.Map.of()), new LocalArtifactStore(state.resolve("artifacts")),
                new RecordingAuditRecorder(), clock, state, 1000, TaskStores.embedded(state));
        try {
            TaskSpec spec = new TaskSpec(RunId.random(), repo.path().toString(), new CommitSha(repo.commit()),
                    RepoFolder.parse("stage/app"), "stage", List.of("sh", "-c", "echo ran"), Duration.ofSeconds(30),
                    TaskArtifacts.NONE.producing(new ArtifactPath("out.txt")));
            clock.armed = true;

            assertThrows(RuntimeException.class, () -> service.start(spec, List.of())); // never answered: the gateway retries
            clock.armed = false; // the fault is gone

            assertDoesNotThrow(() -> service.start(spec, List.of()), "the retried StartTask must run the task");
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertTrue(service.exhausted(spec.runId(), service.eventCount(spec.runId()))));
        } finally {
            service.close();
        }
    }
}
