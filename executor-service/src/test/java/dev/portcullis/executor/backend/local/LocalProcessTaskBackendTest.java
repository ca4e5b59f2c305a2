package dev.portcullis.executor.backend.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.health.Readiness;
import dev.portcullis.executor.task.TaskBackend;
import dev.portcullis.executor.task.TaskEvent;
import dev.portcullis.executor.task.TaskRun;
import dev.portcullis.executor.task.TaskArtifacts;
import dev.portcullis.executor.task.TaskSpec;
import dev.portcullis.executor.task.TaskStep;
import dev.portcullis.executor.repo.GitAccess;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes against a real git repository on disk. */
class LocalProcessTaskBackendTest {
    @TempDir
    Path dir;

    private Path repo;
    private String commit;
    private LocalProcessTaskBackend backend;

    @BeforeEach
    void repository() throws Exception {
        repo = dir.resolve("repo");
        Files.createDirectories(repo.resolve("stage/app"));
        Files.writeString(repo.resolve("stage/app/main.tf"), "# terraform\n");
        Files.createSymbolicLink(repo.resolve("escape"), dir);
        git(repo, "init", "-q");
        git(repo, "add", ".");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "init");
        commit = gitOutput(repo, "rev-parse", "HEAD");
        backend = new LocalProcessTaskBackend(dir.resolve("work"), 2);
    }

    @AfterEach
    void close() {
        backend.close();
    }

    private static void git(Path in, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertEquals(0, process.waitFor());
    }

    private static String gitOutput(Path in, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(in.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes()).trim();
        process.waitFor();
        return out;
    }

    private TaskSpec spec(String folder, Duration timeout, String... argv) {
        return new TaskSpec(RunId.random(), repo.toString(), new CommitSha(commit), RepoFolder.parse(folder), "stage",
                List.of(argv), timeout);
    }

    private TaskSpec steps(Duration timeout, TaskStep... steps) {
        return new TaskSpec(RunId.random(), repo.toString(), new CommitSha(commit), RepoFolder.parse("stage/app"), "stage",
                List.of(steps), Map.of(), timeout, TaskArtifacts.NONE, "");
    }

    private static TaskStep sh(String script) {
        return TaskStep.of(List.of("sh", "-c", script));
    }

    /** Stamps launches and ends in the order they happened, across threads (System.nanoTime may tie or skew). */
    private static final AtomicLong ORDER = new AtomicLong();

    /** Collects what a run reports. */
    static class Recording implements TaskRun {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> ended = new CompletableFuture<>();
        final CompletableFuture<Long> started = new CompletableFuture<>();
        volatile long startedAt;
        volatile long endedAt;
        volatile int failedStep;

        @Override
        public void launched(String backendRef) {
            startedAt = ORDER.incrementAndGet();
            started.complete(Long.parseLong(backendRef.substring("pid:".length())));
        }

        @Override
        public void running() {
        }

        @Override
        public void line(TaskEvent.Stream stream, String text) {
            lines.add((stream == TaskEvent.Stream.STDERR ? "err: " : "out: ") + text);
        }

        @Override
        public void prepare(Path checkout, Path folder) {
        }

        @Override
        public void collect(Path checkout, Path folder) {
        }

        @Override
        public void system(String text) {
            lines.add("sys: " + text);
        }

        @Override
        public void stepFailed(int step) {
            failedStep = step;
        }

        @Override
        public void summarise(Path planJson) {
        }

        @Override
        public void summaryFailed(String reason) {
        }

        @Override
        public void ended(Outcome outcome, int exitCode, String reason) {
            endedAt = ORDER.incrementAndGet();
            ended.complete(outcome + " " + exitCode + " " + reason);
        }

        String await() throws Exception {
            return ended.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void outputHandedOverSlowerThanTheQuietTimeIsAllHandedOverBeforeTheTaskEnds() throws Exception {
        LocalProcessTaskBackend quiet = new LocalProcessTaskBackend(dir.resolve("quiet"), 1, GitAccess.anonymous(), Duration.ofMillis(100));
        List<String> late = new CopyOnWriteArrayList<>();
        Recording run = new Recording() {
            @Override
            public void line(TaskEvent.Stream stream, String text) {
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // a store slower than the command: 30 lines take 600 ms
                if (ended.isDone()) {
                    late.add(text);
                }
                super.line(stream, text);
            }
        };
        try {
            quiet.start(spec("stage/app", Duration.ofSeconds(30), "sh", "-c", "i=0; while [ $i -lt 30 ]; do echo line $i; i=$((i+1)); done"),
                    Map.of(), run);

            assertEquals("SUCCEEDED 0 ", run.await());
            assertEquals(30, run.lines.stream().filter(line -> line.startsWith("out: line ")).count(), run.lines.toString());
            assertEquals(List.of(), late);
        } finally {
            quiet.close();
        }
    }

    @Test
    void aBackgroundProcessHoldingTheOutputOpenDoesNotKeepTheTaskFromEnding() throws Exception {
        LocalProcessTaskBackend quiet = new LocalProcessTaskBackend(dir.resolve("quiet"), 1, GitAccess.anonymous(), Duration.ofMillis(100));
        Path hold = Files.writeString(dir.resolve("hold"), "");
        Recording run = new Recording();
        try {
            // the background loop holds stdout open while the file exists (60 s at most)
            quiet.start(spec("stage/app", Duration.ofSeconds(30), "sh", "-c",
                    "echo done; (i=0; while [ -e " + hold + " ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done) &"), Map.of(), run);

            assertEquals("SUCCEEDED 0 ", run.await()); // the loop ends only once this test deletes the file
            assertTrue(run.lines.contains("out: done"), run.lines.toString());
        } finally {
            Files.delete(hold);
            quiet.close();
        }
    }

    @Test
    void readyWhileTheTaskDirectoryIsWritable() {
        assertEquals(Readiness.READY, backend.readiness());
    }

    @Test
    void notReadyWhenTheTaskDirectoryCannotBeWritten() throws Exception {
        LocalProcessTaskBackend blocked = new LocalProcessTaskBackend(Files.writeString(dir.resolve("a-file"), "x"), 1);

        try {
            assertEquals(Readiness.notReady("the task directory is not writable (FileAlreadyExistsException)"),
                    blocked.readiness());
        } finally {
            blocked.close();
        }
    }

    @Test
    void aCommandRunsInTheFolderAtTheCommitAndSucceeds() throws Exception {
        Recording run = new Recording();

        backend.start(spec("stage/app", Duration.ofSeconds(30), "sh", "-c", "ls; echo oops >&2"), Map.of(), run);

        assertEquals("SUCCEEDED 0 ", run.await());
        assertTrue(run.lines.contains("out: main.tf"), run.lines.toString());
        assertTrue(run.lines.contains("err: oops"), run.lines.toString());
    }

    @Test
    void aRepositoryNamedByAFileUrlIsCheckedOutAtTheCommit() throws Exception {
        Recording run = new Recording();
        TaskSpec byUrl = new TaskSpec(RunId.random(), "file://" + repo, new CommitSha(commit), RepoFolder.parse("stage/app"),
                "stage", List.of("ls"), Duration.ofSeconds(30));

        backend.start(byUrl, Map.of(), run);

        assertEquals("SUCCEEDED 0 ", run.await());
        assertTrue(run.lines.contains("out: main.tf"), run.lines.toString());
    }

    @Test
    void aLocalRepositoryIsClonedByItsPathWithItsOwnCopyOfTheObjects() {
        Path checkout = dir.resolve("checkout");

        List<String> byUrl = LocalProcessTaskBackend.cloneArguments("file:///srv/git/infra", checkout);
        List<String> byPath = LocalProcessTaskBackend.cloneArguments("/srv/git/infra", checkout);

        List<String> expected = List.of("clone", "--no-checkout", "--quiet", "--template=", "--no-hardlinks", "--",
                "/srv/git/infra", checkout.toString());
        assertEquals(expected, byUrl);
        assertEquals(expected, byPath);
    }

    @Test
    void aRemoteOrEscapedUrlIsClonedThroughItsTransport() {
        Path checkout = dir.resolve("checkout");

        List<String> remote = LocalProcessTaskBackend.cloneArguments("https://git.example.org/infra.git", checkout);
        List<String> escaped = LocalProcessTaskBackend.cloneArguments("file:///srv/git/in%20fra", checkout);

        assertEquals(List.of("clone", "--no-checkout", "--quiet", "--template=", "--", "https://git.example.org/infra.git",
                checkout.toString()), remote);
        assertEquals(List.of("clone", "--no-checkout", "--quiet", "--template=", "--", "file:///srv/git/in%20fra",
                checkout.toString()), escaped);
    }

    @Test
    void stepsRunInOrderInTheSameFolderEachAnnouncedBySystemLine() throws Exception {
        Recording run = new Recording();

        backend.start(steps(Duration.ofSeconds(30), sh("echo one > mark"), sh("cat mark; echo two"),
                TaskStep.of(List.of("ls"))), Map.of(), run);

        assertEquals("SUCCEEDED 0 ", run.await());
        assertEquals(List.of("sys: step 1/3: sh -c echo one > mark", "sys: step 2/3: sh -c cat mark; echo two", "out: one",
                "out: two", "sys: step 3/3: ls", "out: main.tf", "out: mark"), run.lines.subList(1, run.lines.size()));
    }

    @Test
    void theFirstFailingStepEndsTheTaskWithItsExitCodeAndPosition() throws Exception {
        Recording run = new Recording();

        backend.start(steps(Duration.ofSeconds(30), sh("true"), sh("exit 4"), sh("echo never")), Map.of(), run);

        assertEquals("FAILED 4 step 2/3 exited with 4", run.await());
        assertEquals(2, run.failedStep);
        assertFalse(run.lines.contains("out: never"), run.lines.toString());
    }

    @Test
    void aDetailedExitcodeStepExitingTwoSucceedsAndTheNextStepRuns() throws Exception {
        Recording run = new Recording();

        backend.start(steps(Duration.ofSeconds(30), new TaskStep(List.of("sh", "-c", "exit 2"), true), sh("echo after")),
                Map.of(), run);

        assertEquals("SUCCEEDED 0 ", run.await());
        assertTrue(run.lines.contains("sys: step 1/2 exited with 2: the plan has changes"), run.lines.toString());
        assertTrue(run.lines.contains("out: after"), run.lines.toString());
    }

    @Test
    void exitCodeTwoFailsAStepWithoutDetailedExitcode() throws Exception {
        Recording run = new Recording();

        backend.start(steps(Duration.ofSeconds(30), sh("exit 2"), sh("echo after")), Map.of(), run);

        assertEquals("FAILED 2 step 1/2 exited with 2", run.await());
    }

    @Test
    void theTimeoutCoversAllStepsTogether() throws Exception {
        Recording run = new Recording();

        backend.start(steps(Duration.ofSeconds(2), sh("sleep 1.5"), sh("sleep 1.5"), sh("echo never")), Map.of(), run);

        assertTrue(run.await().startsWith("TIMED_OUT"), run.ended.get());
        assertFalse(run.lines.contains("out: never"), run.lines.toString());
    }

    @Test
    void cancelDuringALaterStepKillsItAndRunsNoMoreSteps() throws Exception {
        Recording run = new Recording();
        TaskBackend.Handle handle = backend.start(steps(Duration.ofSeconds(60), sh("true"),
                sh("echo ready; sleep 60"), sh("echo never")), Map.of(), run);
        await("the second step printing ready").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(() -> run.lines.contains("out: ready"));

        handle.cancel("test");

        assertTrue(run.await().startsWith("CANCELLED"), run.ended.get());
        assertFalse(run.lines.contains("out: never"), run.lines.toString());
    }

    @Test
    void aNonZeroExitFails() throws Exception {
        Recording run = new Recording();

        backend.start(spec("stage/app", Duration.ofSeconds(30), "sh", "-c", "exit 3"), Map.of(), run);

        assertEquals("FAILED 3 the command exited with 3", run.await());
    }

    @Test
    void theEnvironmentHoldsOnlyWhatTheTaskIsGranted() throws Exception {
        Recording run = new Recording();

        backend.start(spec("stage/app", Duration.ofSeconds(30), "env"), Map.of("DB_PASSWORD", "granted-value"), run);

        run.await();
        List<String> names = run.lines.stream().filter(l -> l.startsWith("out: "))
                .map(l -> l.substring(5, l.indexOf('='))).sorted().toList();
        assertEquals(List.of("DB_PASSWORD", "HOME", "LANG", "PATH"), names);
    }

    @Test
    void aTaskPastItsTimeoutIsKilledAndTimedOut() throws Exception {
        Recording run = new Recording();

        backend.start(spec("stage/app", Duration.ofSeconds(1), "sleep", "30"), Map.of(), run);

        assertTrue(run.await().startsWith("TIMED_OUT"));
        assertFalse(ProcessHandle.of(run.started.get()).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void cancelKillsTheWholeProcessTree() throws Exception {
        Recording run = new Recording();
        TaskBackend.Handle handle = backend.start(
                spec("stage/app", Duration.ofSeconds(60), "sh", "-c", "sleep 60 & sleep 60 & echo ready; wait"), Map.of(), run);
        long pid = run.started.get(60, TimeUnit.SECONDS);
        await("the script printing ready").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(() -> run.lines.contains("out: ready"));
        List<ProcessHandle> children = ProcessHandle.of(pid).orElseThrow().descendants().toList();

        handle.cancel("test");

        assertTrue(run.await().startsWith("CANCELLED"));
        assertEquals(2, children.size(), children.toString());
        for (ProcessHandle child : children) {
            child.onExit().get(10, TimeUnit.SECONDS);
            assertFalse(child.isAlive());
        }
    }

    @Test
    void aFolderThatLeadsOutOfTheCheckoutIsRefused() throws Exception {
        Recording run = new Recording();

        backend.start(spec("escape", Duration.ofSeconds(30), "ls"), Map.of(), run);

        assertEquals("FAILED -1 folder 'escape' leads outside the checkout", run.await());
    }

    @Test
    void aFolderMissingAtTheCommitIsRefused() throws Exception {
        Recording run = new Recording();

        backend.start(spec("prod/app", Duration.ofSeconds(30), "ls"), Map.of(), run);

        assertTrue(run.await().startsWith("FAILED -1 folder 'prod/app' does not exist"), run.ended.get());
    }

    @Test
    void aCommitThatDoesNotExistIsRefused() throws Exception {
        Recording run = new Recording();
        TaskSpec missing = new TaskSpec(RunId.random(), repo.toString(), new CommitSha("0".repeat(40)),
                RepoFolder.parse("stage/app"), "stage", List.of("ls"), Duration.ofSeconds(30));

        backend.start(missing, Map.of(), run);

        assertTrue(run.await().contains("does not exist in the repository"), run.ended.get());
    }

    @Test
    void tasksBeyondTheConcurrencyLimitWait() throws Exception {
        LocalProcessTaskBackend single = new LocalProcessTaskBackend(dir.resolve("work-single"), 1);
        try {
            Recording first = new Recording();
            Recording second = new Recording();
            Path gate = dir.resolve("gate");

            single.start(spec("stage/app", Duration.ofSeconds(60), "sh", "-c",
                    "while [ ! -e " + gate + " ]; do sleep 0.05; done"), Map.of(), first);
            single.start(spec("stage/app", Duration.ofSeconds(60), "true"), Map.of(), second);
            first.started.get(60, TimeUnit.SECONDS);

            Files.createFile(gate);
            first.await();

            assertEquals("SUCCEEDED 0 ", second.await());
            assertTrue(second.startedAt > first.endedAt, "the second task must wait for the only slot");
        } finally {
            single.close();
        }
    }

    @Test
    void waitingTasksStartInSubmissionOrder() throws Exception {
        LocalProcessTaskBackend single = new LocalProcessTaskBackend(dir.resolve("work-order"), 1);
        try {
            Recording blocker = new Recording();
            Path gate = dir.resolve("order-gate");
            single.start(spec("stage/app", Duration.ofSeconds(60), "sh", "-c",
                    "while [ ! -e " + gate + " ]; do sleep 0.05; done"), Map.of(), blocker);
            List<Recording> queued = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Recording next = new Recording();
                queued.add(next);
                single.start(spec("stage/app", Duration.ofSeconds(60), "true"), Map.of(), next);
            }
            assertEquals(4, single.waitingCount());

            Files.createFile(gate);
            for (Recording next : queued) {
                assertEquals("SUCCEEDED 0 ", next.await());
            }
            for (int i = 1; i < queued.size(); i++) {
                assertTrue(queued.get(i).startedAt > queued.get(i - 1).endedAt, "run " + i + " started out of order");
            }
        } finally {
            single.close();
        }
    }

    @Test
    void cancellingAWaitingTaskEndsItWithoutRunningIt() throws Exception {
        LocalProcessTaskBackend single = new LocalProcessTaskBackend(dir.resolve("work-cancel-waiting"), 1);
        try {
            Recording blocker = new Recording();
            Recording waiting = new Recording();
            Path gate = dir.resolve("cancel-gate");
            single.start(spec("stage/app", Duration.ofSeconds(60), "sh", "-c",
                    "while [ ! -e " + gate + " ]; do sleep 0.05; done"), Map.of(), blocker);
            TaskBackend.Handle handle = single.start(spec("stage/app", Duration.ofSeconds(60), "true"), Map.of(), waiting);

            handle.cancel("test");

            assertEquals("CANCELLED -1 cancelled before it started", waiting.await());
            assertFalse(waiting.started.isDone());
            assertEquals(0, single.waitingCount());
            Files.createFile(gate);
            assertEquals("SUCCEEDED 0 ", blocker.await());
        } finally {
            single.close();
        }
    }

}
