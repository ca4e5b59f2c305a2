package dev.portcullis.executor.backend.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.repo.GitAccess;
import dev.portcullis.executor.task.TaskBackend;
import dev.portcullis.executor.task.TaskEvent;
import dev.portcullis.executor.task.TaskRefusedException;
import dev.portcullis.executor.task.TaskRun;
import dev.portcullis.executor.task.TaskRun.Outcome;
import dev.portcullis.executor.task.TaskSpec;
import dev.portcullis.executor.task.TaskStep;
import dev.portcullis.runtime.health.Readiness;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks as local child processes (development and tests): checks the repository out at the
 * exact commit into a fresh working directory, confirms the folder exists inside the checkout
 * (following symbolic links, so a link cannot lead out of it), and runs the task's steps there in
 * order, each without a shell, with a clean environment holding only the command's env and what
 * the task is granted, one timeout for all of them, and the whole process tree of the running step
 * killed on cancel or timeout. The first step that does not succeed ends the task with its exit
 * code. After the steps, a plan task's artifact is collected and, when it has a summary tool,
 * {@code TOOL show -json ARTIFACT} runs the same way with its stdout in a file of the task
 * directory (never the log), which the task summarises and deletes. At most {@code maxConcurrent} tasks run; the rest wait.
 * Thread-safe.
 *
 * <p>Local tasks do not survive the executor: each task's directory holds a {@code process} file
 * with the command's process id and start time while it runs. A directory left behind means the
 * executor died during that task; a new backend on the same root kills that process tree if the
 * same process (id and start time) is still alive, then removes the directory. That is best
 * effort: descendants that left the tree (double-forked daemons) are not found.
 */
public final class LocalProcessTaskBackend implements TaskBackend {
    private static final Logger log = LoggerFactory.getLogger(LocalProcessTaskBackend.class);
    private static final int MAX_LINE = 16 * 1024;
    /**
     * How long the pump of an ended command's output may make no progress before the task ends
     * without it: a process the command started in the background can hold the pipe open.
     */
    private static final Duration QUIET_OUTPUT = Duration.ofSeconds(10);
    private static final long GIT_TIMEOUT_SECONDS = 300;
    private static final String SAFE_PATH = "/usr/local/bin:/usr/bin:/bin";

    private final Path workRoot;
    private final int maxConcurrent;
    private final GitAccess access;
    private final Duration quietOutput;
    // guarded by this: runs waiting for a slot, in submission order, and the number running
    private final ArrayDeque<Run> waiting = new ArrayDeque<>();
    private int running;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "local-task");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * A backend whose task directories live under {@code workRoot}; the process trees of tasks left
     * behind by an executor that died are killed first.
     */
    public LocalProcessTaskBackend(Path workRoot, int maxConcurrent) {
        this(workRoot, maxConcurrent, GitAccess.anonymous());
    }

    /**
     * As above, cloning https repositories with {@code access}'s read-only credential (the clone
     * only: the task's command never gets it in its environment).
     */
    public LocalProcessTaskBackend(Path workRoot, int maxConcurrent, GitAccess access) {
        this(workRoot, maxConcurrent, access, QUIET_OUTPUT);
    }

    /**
     * As above, ending a task once its command's output makes no progress for {@code quietOutput}
     * after the command ended (10 s above).
     */
    LocalProcessTaskBackend(Path workRoot, int maxConcurrent, GitAccess access, Duration quietOutput) {
        this.quietOutput = requireNonNull(quietOutput, "quietOutput is null");
        this.access = requireNonNull(access, "access is null");
        // absolute: git clones into a path resolved from inside the task directory
        this.workRoot = requireNonNull(workRoot, "workRoot is null").toAbsolutePath();
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1");
        }
        this.maxConcurrent = maxConcurrent;
        reapOrphans();
    }

    @Override
    public Kind kind() {
        return Kind.LOCAL;
    }

    /**
     * Ready while a file can be created (and removed) in the task directory, where every checkout
     * goes; the directory is created when missing, as the next task would.
     */
    @Override
    public Readiness readiness() {
        try {
            Files.createDirectories(workRoot);
            Files.delete(Files.createTempFile(workRoot, ".ready-", ""));
            return Readiness.READY;
        } catch (IOException e) {
            return Readiness.notReady("the task directory is not writable (" + e.getClass().getSimpleName() + ")");
        }
    }

    @Override
    public boolean survivesRestart() {
        return false;
    }

    @Override
    public Handle resume(TaskSpec spec, TaskRun run) {
        throw new UnsupportedOperationException("local tasks do not survive an executor restart");
    }

    /**
     * Starts {@code spec} in the background with {@code environment} (granted secrets included).
     * When every slot is taken the run waits; waiting runs start in the order they were submitted.
     */
    @Override
    public Handle start(TaskSpec spec, Map<String, String> environment, TaskRun run) {
        Run task = new Run(spec, Map.copyOf(environment), run);
        synchronized (this) {
            if (running >= maxConcurrent) {
                waiting.addLast(task);
                return task;
            }
            running++;
        }
        try {
            threads.execute(task);
        } catch (RejectedExecutionException e) {
            run.ended(Outcome.CANCELLED, -1, "the executor is shutting down");
            releaseSlot();
        }
        return task;
    }

    /** Hands the freed slot to the oldest waiting run, or gives it back. */
    private void releaseSlot() {
        Run next;
        synchronized (this) {
            next = waiting.pollFirst();
            if (next == null) {
                running--;
                return;
            }
        }
        try {
            threads.execute(next);
        } catch (RejectedExecutionException e) {
            next.run.ended(Outcome.CANCELLED, -1, "the executor is shutting down");
            releaseSlot();
        }
    }

    /** Number of runs waiting for a slot. */
    public synchronized int waitingCount() {
        return waiting.size();
    }

    private final class Run implements Runnable, Handle {
        private final TaskSpec spec;
        private final Map<String, String> environment;
        private final TaskRun run;
        private final AtomicBoolean cancelled = new AtomicBoolean();
        // guarded by this: the running command, once started
        private Process process;

        Run(TaskSpec spec, Map<String, String> environment, TaskRun run) {
            this.spec = spec;
            this.environment = environment;
            this.run = run;
        }

        @Override
        public void run() {
            Path workDir = workRoot.resolve(spec.runId().value() + "-" + UUID.randomUUID().toString().substring(0, 8));
            try {
                execute(workDir);
            } catch (RuntimeException e) {
                log.atError().setCause(e).addKeyValue("run_id", spec.runId().value()).log("task.local_failed");
                run.ended(Outcome.FAILED, -1, "the task could not run (see the executor log)");
            } finally {
                deleteQuietly(workDir);
                releaseSlot();
            }
        }

        private void execute(Path workDir) {
            if (cancelled.get()) {
                run.ended(Outcome.CANCELLED, -1, "cancelled before it started");
                return;
            }
            Path checkout = workDir.resolve("checkout");
            try {
                Files.createDirectories(workDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // the line (and the task's start with it) is stored while git clones, not before:
            // one write fewer ahead of the command
            Runnable announce = () -> run.system("checking out " + spec.commit() + " of " + spec.repoUrl());
            if (!git(workDir, cloneArguments(spec.repoUrl(), checkout), access.environment(spec.repoUrl()), announce)) {
                run.ended(Outcome.FAILED, -1, "the repository could not be cloned");
                return;
            }
            if (!git(checkout, List.of("checkout", "--quiet", "--detach", spec.commit().value(), "--"), Map.of(), () -> { })) {
                run.ended(Outcome.FAILED, -1, "commit " + spec.commit() + " does not exist in the repository");
                return;
            }
            Path folder;
            try {
                Path root = checkout.toRealPath();
                folder = checkout.resolve(spec.folder().isRoot() ? "." : spec.folder().value()).toRealPath();
                if (!folder.startsWith(root)) {
                    run.ended(Outcome.FAILED, -1, "folder '" + spec.folder() + "' leads outside the checkout");
                    return;
                }
                if (!Files.isDirectory(folder)) {
                    throw new IOException("not a directory");
                }
            } catch (IOException e) {
                run.ended(Outcome.FAILED, -1, "folder '" + spec.folder() + "' does not exist at " + spec.commit());
                return;
            }
            try {
                run.prepare(checkout, folder);
            } catch (TaskRefusedException e) {
                run.ended(Outcome.FAILED, -1, e.getMessage());
                return;
            }
            runSteps(workDir, checkout, folder);
        }

        /** Runs the steps in order, then collects the artifact and derives the plan summary. */
        private void runSteps(Path workDir, Path checkout, Path folder) {
            long deadline = System.nanoTime() + spec.timeout().toNanos();
            List<TaskStep> steps = spec.steps();
            for (int i = 0; i < steps.size(); i++) {
                TaskStep step = steps.get(i);
                String position = (i + 1) + "/" + steps.size();
                run.systemBeforeStart(step.describe(i + 1, steps.size()));
                Ran ran = runProcess(workDir, folder, step.argv(), deadline, null);
                if (!(ran instanceof Ran.Exited exited)) {
                    if (ran instanceof Ran.NotStarted) {
                        run.stepFailed(i + 1);
                    }
                    endStopped(ran, steps.size() == 1 ? "" : "step " + position + ": ");
                    return;
                }
                if (!step.succeeded(exited.code())) {
                    run.stepFailed(i + 1);
                    run.ended(Outcome.FAILED, exited.code(), steps.size() == 1 ? "the command exited with " + exited.code()
                            : "step " + position + " exited with " + exited.code());
                    return;
                }
                if (exited.code() != 0) {
                    run.system("step " + position + " exited with " + exited.code() + ": the plan has changes");
                }
            }
            try {
                run.collect(checkout, folder);
            } catch (TaskRefusedException e) {
                run.ended(Outcome.FAILED, 0, e.getMessage());
                return;
            }
            if (spec.artifacts().summary().isPresent() && !summarise(workDir, folder, deadline)) {
                return;
            }
            run.ended(Outcome.SUCCEEDED, 0, "");
        }

        /**
         * Runs {@code TOOL show -json ARTIFACT} with the steps' environment, its stdout into a file
         * of the task directory (outside the checkout; never the log), and hands that to the task.
         *
         * @return false when the task has ended instead
         */
        private boolean summarise(Path workDir, Path folder, long deadline) {
            String tool = spec.artifacts().summary().get().command();
            List<String> argv = List.of(tool, "show", "-json", spec.artifacts().produces().orElseThrow().value());
            Path json = workDir.resolve(PLAN_JSON_FILE);
            try {
                Files.createFile(json, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                run.system("plan summary: " + String.join(" ", argv));
                Ran ran = runProcess(workDir, folder, argv, deadline, json);
                if (ran instanceof Ran.Exited exited && exited.code() == 0) {
                    try {
                        run.summarise(json);
                    } catch (TaskRefusedException e) {
                        run.ended(Outcome.FAILED, 0, e.getMessage());
                        return false;
                    }
                    return true;
                }
                if (ran instanceof Ran.Exited exited) {
                    return summaryFailed(tool + " show -json exited with " + exited.code());
                }
                if (ran instanceof Ran.NotStarted) {
                    return summaryFailed(tool + " could not be started");
                }
                endStopped(ran, "");
                return false;
            } finally {
                deleteQuietly(json);
            }
        }

        private boolean summaryFailed(String reason) {
            run.summaryFailed(reason);
            run.ended(Outcome.FAILED, 0, "PLAN_SUMMARY_UNAVAILABLE: " + reason);
            return false;
        }

        /** Ends the task for a process that did not exit by itself: never started, cancelled or timed out. */
        private void endStopped(Ran ran, String prefix) {
            if (ran instanceof Ran.NotStarted notStarted) {
                run.ended(Outcome.FAILED, -1, prefix + "the command '" + notStarted.program() + "' could not be started");
            } else if (ran instanceof Ran.Cancelled cancelled) {
                run.ended(Outcome.CANCELLED, -1, cancelled.beforeStart() ? "cancelled before it started" : "cancelled");
            } else if (ran instanceof Ran.TimedOut) {
                run.ended(Outcome.TIMED_OUT, -1, "ran longer than " + spec.timeout());
            } else {
                throw new IllegalStateException("the process exited");
            }
        }

        /**
         * Runs one process in {@code folder} with the task's clean environment until it exits, the
         * deadline passes (its tree is killed) or the task is cancelled; its stdout is streamed, or
         * written to {@code stdoutFile} when that is given.
         */
        private Ran runProcess(Path workDir, Path folder, List<String> argv, long deadline, Path stdoutFile) {
            ProcessBuilder builder = new ProcessBuilder(argv).directory(folder.toFile());
            if (stdoutFile != null) {
                builder.redirectOutput(stdoutFile.toFile());
            }
            Map<String, String> env = builder.environment();
            env.clear();
            env.put("PATH", SAFE_PATH);
            env.put("HOME", workDir.toString());
            env.put("LANG", "C.UTF-8");
            env.putAll(environment);
            Process started;
            synchronized (this) {
                if (cancelled.get()) {
                    return new Ran.Cancelled(process == null);
                }
                try {
                    started = builder.start();
                } catch (IOException e) {
                    return new Ran.NotStarted(argv.get(0));
                }
                process = started;
            }
            recordProcess(workDir, started);
            run.running("pid:" + started.pid());
            try {
                started.getOutputStream().close();
            } catch (IOException e) {
                // the command does not read input anyway
            }
            AtomicLong outProgress = new AtomicLong();
            AtomicLong errProgress = new AtomicLong();
            Thread out = stdoutFile == null ? pump(started.getInputStream(), false, outProgress) : null;
            Thread err = pump(started.getErrorStream(), true, errProgress);
            boolean finished;
            try {
                finished = started.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finished = false;
            }
            if (!finished) {
                killTree(started);
            }
            if (out != null) {
                drain(out, outProgress);
            }
            drain(err, errProgress);
            if (cancelled.get()) {
                return new Ran.Cancelled(false);
            }
            return finished ? new Ran.Exited(started.exitValue()) : new Ran.TimedOut();
        }

        /** Hands the task each line of {@code stream}, on a thread of its own; {@code progress} counts each line read and each handed over. */
        private Thread pump(InputStream stream, boolean stderr, AtomicLong progress) {
            Thread thread = new Thread(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        progress.incrementAndGet();
                        for (int start = 0; start < line.length() || start == 0; start += MAX_LINE) {
                            run.line(stderr ? TaskEvent.Stream.STDERR : TaskEvent.Stream.STDOUT, line.substring(start, Math.min(line.length(), start + MAX_LINE)));
                            progress.incrementAndGet();
                            if (line.isEmpty()) {
                                break;
                            }
                        }
                    }
                } catch (IOException e) {
                    // the stream closes when the process is killed
                } catch (RuntimeException e) {
                    log.atError().setCause(e).addKeyValue("run_id", spec.runId().value()).log("task.output_failed");
                }
            }, "local-task-output");
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        @Override
        public void cancel(String reason) {
            if (cancelled.getAndSet(true)) {
                return;
            }
            boolean wasWaiting;
            synchronized (LocalProcessTaskBackend.this) {
                wasWaiting = waiting.remove(this);
            }
            if (wasWaiting) {
                run.ended(Outcome.CANCELLED, -1, "cancelled before it started");
                return;
            }
            Process running;
            synchronized (this) {
                running = process;
            }
            if (running != null) {
                killTree(running);
            }
        }
    }

    private static final String PROCESS_FILE = "process";
    /** The plan summary tool's output, in the task directory: outside the checkout, removed with it. */
    private static final String PLAN_JSON_FILE = "plan-show.json";

    /** How one process of a task ended. */
    private sealed interface Ran {
        record Exited(int code) implements Ran {}

        record NotStarted(String program) implements Ran {}

        record Cancelled(boolean beforeStart) implements Ran {}

        record TimedOut() implements Ran {}
    }
    private static final java.util.regex.Pattern TASK_DIR =
            java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{8}");

    /** Notes the command's process id and start time, so a new executor can find it after a crash. */
    private static void recordProcess(Path workDir, Process process) {
        String start = process.info().startInstant().map(Object::toString).orElse("");
        try {
            Files.writeString(workDir.resolve(PROCESS_FILE), process.pid() + " " + start + "\n");
        } catch (IOException e) {
            log.atWarn().addKeyValue("pid", process.pid()).log("task.process_not_recorded");
        }
    }

    /** Kills the process trees of tasks an executor that died left behind, and removes their directories. */
    private void reapOrphans() {
        if (!Files.isDirectory(workRoot)) {
            return;
        }
        List<Path> leftovers;
        try (Stream<Path> listing = Files.list(workRoot)) {
            leftovers = listing.filter(p -> TASK_DIR.matcher(p.getFileName().toString()).matches()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("the task work directory cannot be listed", e);
        }
        for (Path leftover : leftovers) {
            orphanOf(leftover.resolve(PROCESS_FILE)).ifPresent(orphan -> {
                log.atWarn().addKeyValue("pid", orphan.pid()).addKeyValue("task_dir", leftover.getFileName())
                        .log("task.orphan_killed");
                List<ProcessHandle> descendants = orphan.descendants().toList();
                orphan.destroyForcibly();
                descendants.forEach(ProcessHandle::destroyForcibly);
                orphan.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> orphan).join();
            });
            deleteQuietly(leftover);
        }
    }

    /** The process a {@code process} file names, if it is still alive and is the same process (same start time). */
    private static java.util.Optional<ProcessHandle> orphanOf(Path processFile) {
        try {
            String[] fields = Files.readString(processFile).strip().split(" ");
            java.util.Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(fields[0]));
            // a pid may have been reused since: only the process that started at the recorded instant is ours
            return handle.filter(ProcessHandle::isAlive).filter(h -> fields.length == 2 && !fields[1].isEmpty()
                    && h.info().startInstant().map(Object::toString).filter(fields[1]::equals).isPresent());
        } catch (IOException | NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * The arguments of the {@code git clone} that copies {@code repoUrl} into {@code checkout}
     * without checking anything out (the commit is checked out next, by its SHA): no template, so
     * no sample hooks are even copied; no submodules; the URL after {@code --}. A repository on this
     * machine ({@code file:///PATH} or an absolute path) is cloned by its path, so git copies its
     * object files instead of packing them through the file transport ({@code pack-objects},
     * {@code index-pack} and {@code rev-list}: three processes fewer, about a third of a small
     * checkout); {@code --no-hardlinks}, so the checkout shares no file with the source repository
     * and a task cannot change the source's objects through it. A local clone copies every object
     * of the source, also those no ref reaches. A file URL with an escape ({@code %}), a query or a
     * fragment keeps the transport: its path is not the text after the scheme.
     */
    static List<String> cloneArguments(String repoUrl, Path checkout) {
        String localPath = null;
        if (repoUrl.startsWith("/")) {
            localPath = repoUrl;
        } else if (repoUrl.startsWith("file:///") && repoUrl.chars().noneMatch(c -> c == '%' || c == '?' || c == '#')) {
            localPath = repoUrl.substring("file://".length());
        }
        List<String> arguments = new ArrayList<>(List.of("clone", "--no-checkout", "--quiet", "--template="));
        if (localPath != null) {
            arguments.add("--no-hardlinks");
        }
        arguments.addAll(List.of("--", localPath != null ? localPath : repoUrl, checkout.toString()));
        return List.copyOf(arguments);
    }

    /**
     * Runs git with a clean environment plus {@code access} (askpass and the token file's path for
     * an https clone, never the token), no prompts and no hooks; {@code started} runs once git was
     * started (or could not be), while it works.
     */
    private static boolean git(Path directory, List<String> arguments, Map<String, String> access, Runnable started) {
        List<String> command = new ArrayList<>(List.of("git", "-c", "core.hooksPath=/dev/null", "-c", "protocol.file.allow=always"));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        Map<String, String> clean = new HashMap<>();
        clean.put("PATH", SAFE_PATH);
        clean.put("HOME", directory.toString());
        clean.put("GIT_TERMINAL_PROMPT", "0");
        clean.put("GIT_CONFIG_NOSYSTEM", "1");
        clean.putAll(access);
        env.clear();
        env.putAll(clean);
        Process git;
        try {
            git = builder.start();
        } catch (IOException e) {
            started.run();
            return false;
        }
        try {
            started.run();
        } catch (RuntimeException e) {
            killTree(git); // the task fails with it: no git left working in a directory about to be removed
            throw e;
        }
        try {
            git.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (!git.waitFor(GIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                killTree(git);
                return false;
            }
            return git.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Kills a process and every descendant, children first so none is re-parented and missed. */
    static void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.toHandle().destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        // descendants started in the meantime are caught by a second sweep
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until {@code pump} has handed the task everything the ended command wrote, for as long
     * as it keeps making {@code progress}, however slowly the task stores the lines: a task never
     * ends with output of its command still unread. A pump with no progress for
     * {@code quietOutput} is left behind (a process the command started in the background holds the
     * pipe; the JDK ends the stream at the command's exit only when no read was waiting on it); a
     * line it hands over after the task ended is dropped.
     */
    private void drain(Thread pump, AtomicLong progress) {
        long seen = -1;
        while (pump.isAlive()) {
            long now = progress.get();
            if (now == seen) {
                return;
            }
            seen = now;
            join(pump, quietOutput.toMillis());
        }
    }

    private static void join(Thread thread, long millis) {
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            log.atWarn().addKeyValue("dir", dir).log("task.workdir_not_deleted");
        }
    }

    /** Waits briefly for runs to wind down (callers cancel them first), then stops the threads. */
    @Override
    public void close() {
        List<Run> neverStarted;
        synchronized (this) {
            neverStarted = new ArrayList<>(waiting);
            waiting.clear();
        }
        neverStarted.forEach(run -> run.run.ended(Outcome.CANCELLED, -1, "the executor is shutting down"));
        threads.shutdown();
        try {
            if (!threads.awaitTermination(15, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
