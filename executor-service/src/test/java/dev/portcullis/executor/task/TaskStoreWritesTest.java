package dev.portcullis.executor.task;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.secret.NoSecretSource;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How many writes a local task's start costs the store: each is a commit on the way to the command. */
class TaskStoreWritesTest {
    @TempDir
    Path dir;

    private final List<List<TaskEvent>> appends = Collections.synchronizedList(new ArrayList<>());
    private TaskService tasks;
    private GitRepository repo;

    @BeforeEach
    void start() throws Exception {
        repo = GitRepository.create(dir);
        TaskReplica embedded = TaskStores.embedded(dir.resolve("work"));
        TaskReplica counted = new TaskReplica(new CountingStore(embedded.store()), embedded.id(), embedded.lease(),
                embedded.pollInterval(), embedded.exclusive());
        tasks = new TaskService(new LocalProcessTaskBackend(dir.resolve("work/tasks"), 1), new NoSecretSource(),
                new LocalArtifactStore(dir.resolve("artifacts")), new RecordingAuditRecorder(), Clock.systemUTC(),
                dir.resolve("work"), 1000, counted);
    }

    @AfterEach
    void stop() {
        tasks.close();
    }

    @Test
    void aLocalTaskStoresItsStartWithTheCheckoutLineAndItsStepLineWithItsCommandRunning() {
        TaskSpec spec = new TaskSpec(RunId.random(), repo.path().toString(), new CommitSha(repo.commit()),
                RepoFolder.parse("stage/app"), "stage", List.of("sh", "-c", "echo one"), Duration.ofSeconds(30));

        tasks.start(spec, List.of());

        await("the task ending").atMost(Duration.ofSeconds(60)).until(() -> tasks.get(spec.runId()).state().isFinal());
        List<List<String>> writes;
        synchronized (appends) {
            writes = appends.stream().map(events -> events.stream().map(TaskStoreWritesTest::describe).toList()).toList();
        }
        assertEquals(List.of("STARTING", "SYSTEM checking out"), writes.get(0));
        assertEquals(List.of("SYSTEM " + spec.steps().get(0).describe(1, 1), "RUNNING"), writes.get(1));
        assertEquals(List.of("STDOUT one"), writes.get(2));
        assertTrue(writes.get(writes.size() - 1).contains("SUCCEEDED"), writes.toString());
    }

    @Test
    void aStepLineWhoseCommandNeverStartsIsStoredWithTheTasksEnd() {
        TaskSpec spec = new TaskSpec(RunId.random(), repo.path().toString(), new CommitSha(repo.commit()),
                RepoFolder.parse("stage/app"), "stage", List.of("/nonexistent/portcullis-test-command"), Duration.ofSeconds(30));

        tasks.start(spec, List.of());

        await("the task ending").atMost(Duration.ofSeconds(60)).until(() -> tasks.get(spec.runId()).state().isFinal());
        List<String> last;
        synchronized (appends) {
            last = appends.get(appends.size() - 1).stream().map(TaskStoreWritesTest::describe).toList();
        }
        assertEquals(List.of("SYSTEM " + spec.steps().get(0).describe(1, 1), "FAILED"), last);
    }

    private static String describe(TaskEvent event) {
        if (event instanceof TaskEvent.Line line) {
            String text = line.text().startsWith("checking out") ? "checking out" : line.text();
            return line.stream() + " " + text;
        }
        return ((TaskEvent.StateChanged) event).task().state().name();
    }

    /** The real store, noting the events of every append: one append is one transaction. */
    private final class CountingStore implements TaskStore {
        private final TaskStore store;

        CountingStore(TaskStore store) {
            this.store = store;
        }

        @Override
        public void append(RunId runId, List<TaskEvent> events, String holder, List<AuditEvent> audit) {
            store.append(runId, events, holder, audit);
            appends.add(List.copyOf(events));
        }

        @Override
        public boolean create(Header header, TaskEvent.StateChanged first, String holder, Instant leaseUntil) {
            return store.create(header, first, holder, leaseUntil);
        }

        @Override
        public Optional<Stored> find(RunId runId) {
            return store.find(runId);
        }

        @Override
        public boolean keepsAudit() {
            return store.keepsAudit();
        }

        @Override
        public List<TaskEvent> events(RunId runId, long fromOffset, int max) {
            return store.events(runId, fromOffset, max);
        }

        @Override
        public long eventCount(RunId runId) {
            return store.eventCount(runId);
        }

        @Override
        public long stdoutLines(RunId runId) {
            return store.stdoutLines(runId);
        }

        @Override
        public List<RunId> unattended(Instant now, int max) {
            return store.unattended(now, max);
        }

        @Override
        public boolean claim(RunId runId, String holder, Instant now, Instant until) {
            return store.claim(runId, holder, now, until);
        }

        @Override
        public List<Held> renew(String holder, Instant until) {
            return store.renew(holder, until);
        }

        @Override
        public void release(String holder) {
            store.release(holder);
        }

        @Override
        public void requestCancel(RunId runId, String reason) {
            store.requestCancel(runId, reason);
        }

        @Override
        public void markEndAudited(RunId runId) {
            store.markEndAudited(runId);
        }

        @Override
        public List<RunId> endsNotAudited(Instant endedBefore, int max) {
            return store.endsNotAudited(endedBefore, max);
        }
    }
}
