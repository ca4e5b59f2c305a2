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
import java.nio.file.Files;
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
 * A StartTask that fails between the journal's header and the task's first state (here the first
 * state cannot be made; in production e.g. ENOSPC or EIO on the forced state write) leaves no
 * journal behind: otherwise every retry fails to create it again (INTERNAL, which the gateway
 * retries), and the run waits with its lock until the executor restarts. Found by review.
 */
class TaskStartFailureTest {
    @TempDir
    Path dir;

    /** Fails every reading while armed and the armed run's journal exists: after the header, before the first state. */
    static final class FailingAfterHeader extends Clock {
        volatile Path armed;

        @Override
        public Instant instant() {
            Path journal = armed;
            if (journal != null && Files.exists(journal)) {
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
    void aStartTaskThatFailedAfterTheHeaderCanBeRetriedWithoutARestart() throws Exception {
        GitRepository repo = GitRepository.create(dir);
        Path state = dir.resolve("executor");
        FailingAfterHeader clock = new FailingAfterHeader();
        TaskService service = new TaskService(new LocalProcessTaskBackend(state.resolve("tasks"), 2),
                grants -> TaskSecrets.of(java.util.Map.of(), java.util.Map.of()), new LocalArtifactStore(state.resolve("artifacts")),
                new RecordingAuditRecorder(), clock, state, 1000);
        try {
            TaskSpec spec = new TaskSpec(RunId.random(), repo.path().toString(), new CommitSha(repo.commit()),
                    RepoFolder.parse("stage/app"), "stage", List.of("sh", "-c", "echo ran"), Duration.ofSeconds(30),
                    TaskArtifacts.NONE.producing(new ArtifactPath("out.txt")));
            clock.armed = state.resolve("journal").resolve(spec.runId().value() + TaskJournal.SUFFIX);

            assertThrows(RuntimeException.class, () -> service.start(spec, List.of())); // never answered: the gateway retries
            clock.armed = null; // the fault is gone

            assertDoesNotThrow(() -> service.start(spec, List.of()), "the retried StartTask must run the task");
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> assertTrue(service.exhausted(spec.runId(), service.eventCount(spec.runId()))));
        } finally {
            service.close();
        }
    }
}
