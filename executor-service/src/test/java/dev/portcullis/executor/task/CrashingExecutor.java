package dev.portcullis.executor.task;

import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.secret.NoSecretSource;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * An executor in its own JVM for {@link TaskRestartTest}, killed by the test (no shutdown runs).
 * Arguments: state directory, repository path, commit, run id, and optionally the moment to wait
 * to be killed at: {@code running} (default) starts one long local task and prints
 * {@code RUNNING PID} once the command runs; {@code ending} starts a short task whose end is
 * stored, prints {@code ENDING} when the end reaches the audit recorder and blocks it there, as
 * an executor killed before its outbox took the event would.
 */
public final class CrashingExecutor {
    private CrashingExecutor() {}

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        RunId runId = new RunId(args[3]);
        if (args.length > 4 && args[4].equals("ending")) {
            AuditRecorder diesAtTheEnd = new AuditRecorder() {
                @Override
                public void record(AuditEvent event) {
                    if (event.action() == AuditAction.TASK_FINISHED) {
                        System.out.println("ENDING");
                        System.out.flush();
                        waitToBeKilled();
                    }
                }

                @Override
                public boolean healthy() {
                    return true;
                }
            };
            TaskService tasks = new TaskService(new LocalProcessTaskBackend(state.resolve("tasks"), 1), new NoSecretSource(),
                    new LocalArtifactStore(state.resolve("artifacts")), diesAtTheEnd, Clock.systemUTC(), state, 100,
                    TaskStores.embedded(state));
            tasks.start(shortSpec(runId, args[1], args[2]), List.of());
            waitToBeKilled();
        }
        TaskService tasks = new TaskService(new LocalProcessTaskBackend(state.resolve("tasks"), 1), new NoSecretSource(),
                new LocalArtifactStore(state.resolve("artifacts")), new RecordingAuditRecorder(), Clock.systemUTC(), state, 100,
                TaskStores.embedded(state));
        tasks.start(TaskRestartTest.longTask(runId, args[1], args[2]), List.of());
        while (tasks.get(runId).state() != TaskState.RUNNING) {
            tasks.awaitEvent(runId, tasks.eventCount(runId), Duration.ofSeconds(1));
        }
        // the first line is stored before the parent kills this JVM
        while (tasks.events(runId, 0, 1000).stream().noneMatch(e -> e instanceof TaskEvent.Line l
                && l.stream() == TaskEvent.Stream.STDOUT)) {
            tasks.awaitEvent(runId, tasks.eventCount(runId), Duration.ofSeconds(1));
        }
        System.out.println("RUNNING " + tasks.get(runId).backendRef().substring("pid:".length()));
        System.out.flush();
        waitToBeKilled();
    }

    private static void waitToBeKilled() {
        while (true) {
            java.util.concurrent.locks.LockSupport.park();
        }
    }

    static TaskSpec shortSpec(RunId runId, String repo, String commit) {
        return new TaskSpec(runId, repo, new CommitSha(commit), RepoFolder.parse("stage/app"), "stage",
                List.of("sh", "-c", "echo done"), Duration.ofMinutes(1));
    }

    static TaskSpec spec(RunId runId, String repo, String commit) {
        return new TaskSpec(runId, repo, new CommitSha(commit), RepoFolder.parse("stage/app"), "stage",
                List.of("sh", "-c", "echo started; exec sleep 300"), Duration.ofMinutes(10));
    }
}
