package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.ArtifactDigests;
import dev.portcullis.executor.artifact.ArtifactException;
import dev.portcullis.executor.artifact.ArtifactHandoff;
import dev.portcullis.executor.artifact.ArtifactLocation;
import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.artifact.ArtifactStore;
import dev.portcullis.executor.artifact.ArtifactUrl;
import dev.portcullis.executor.redact.LineStream;
import dev.portcullis.executor.redact.RedactedLine;
import dev.portcullis.executor.redact.Redactor;
import dev.portcullis.executor.redact.Secret;
import dev.portcullis.executor.redact.UnsafeSecretException;
import dev.portcullis.executor.secret.SecretSource;
import dev.portcullis.executor.secret.SecretUnavailableException;
import dev.portcullis.executor.secret.TaskSecrets;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.error.FieldViolation;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.runtime.health.Readiness;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs tasks: one task per run id, ever, also across executor restarts. Fetches exactly the
 * granted secrets, runs the task on the backend, and passes every line through the task's
 * redactor before it is kept, so nothing a watcher, a log or an error sees carries a secret. Each
 * masked detection is audited as {@code secret.leak_detected} (without the secret).
 *
 * <p><b>Artifacts.</b> A task that applies a plan gets it from the {@link ArtifactStore} before
 * anything else happens; when its bytes do not have the digest the task was given, the task fails
 * with {@link TaskFailure#PLAN_DIGEST_MISMATCH} and the command never starts. The plan is placed in
 * the task's folder at the path it was produced at. A task that produces an artifact has it stored
 * after its command succeeded, and reports its SHA-256 on {@link Task#artifact()}.
 *
 * <p>On a backend that does not {@linkplain TaskBackend#collectsFiles() collect files} (ECS), the
 * plan's stored bytes are checked the same way before anything is launched, and the task gets
 * presigned URLs from the {@link ArtifactHandoff} instead: a download URL of the plan with its
 * approved SHA-256 (the task checks it again), an upload URL for the artifact it produces. The URLs
 * are secrets of the task: its log is redacted of them. After the task succeeded, the service reads
 * the uploaded object itself and computes its digest; whatever the task printed about it counts for
 * nothing. No object: {@link TaskFailure#ARTIFACT_MISSING}.
 *
 * <p><b>Restarts.</b> Every task's spec, state changes and redacted lines go to its
 * {@link TaskJournal} under {@code stateDir/journal}; a new service on the same directory answers
 * for every journaled task with its full log, and starting a known run id again returns it. A task
 * that was unfinished is followed again when its backend {@linkplain TaskBackend#survivesRestart()
 * survives restarts} (its log continues where the journal ends), and otherwise ends
 * {@link TaskFailure#EXECUTOR_RESTARTED}. Only the newest {@code memoryLines} events of each task
 * are kept in memory. Thread-safe.
 */
public final class TaskService implements AutoCloseable {
    /** Why a task that ran while the executor stopped has failed. */
    public static final String RESTARTED = "executor restarted while the task ran";
    private static final Logger log = LoggerFactory.getLogger(TaskService.class);
    private static final Set<String> RESERVED = Set.of("PATH", "HOME", "LANG", "SHELL", "IFS");
    /** Beyond the task's own timeout, for provisioning (image pull, checkout) and the upload. */
    private static final Duration URL_MARGIN = Duration.ofMinutes(30);
    private static final Duration MAX_URL_VALIDITY = Duration.ofDays(7);

    private final TaskBackend backend;
    private final SecretSource secrets;
    private final ArtifactStore artifacts;
    private final ArtifactHandoff handoff;
    private final AuditRecorder audit;
    private final Clock clock;
    private final Path journalDir;
    private final Path incomingDir;
    private final int memoryLines;
    private final TaskAuditor auditor;
    private final Map<RunId, Entry> tasks = new ConcurrentHashMap<>();
    /** Held while a new task's journal is created, so a run id gets one journal. */
    private final Object creating = new Object();

    /**
     * Replays the journals under {@code stateDir} and follows again, or marks failed, the tasks
     * that had not finished. Blocks for that (reading each journal; for tasks followed again, the
     * KV secrets their log is redacted with).
     *
     * @param stateDir the executor's own directory: {@code journal/} and {@code incoming/} (fetched plans) below it
     * @param memoryLines events of each task kept in memory (at least 1); older ones are read from the journal
     */
    public TaskService(TaskBackend backend, SecretSource secrets, ArtifactStore artifacts, AuditRecorder audit, Clock clock,
            Path stateDir, int memoryLines) {
        this(backend, secrets, artifacts, ArtifactHandoff.unsupported(), audit, clock, stateDir, memoryLines);
    }

    /**
     * As above, with {@code handoff} giving tasks on a backend that does not collect files the URLs
     * of their artifacts in {@code artifacts} (the same store).
     */
    public TaskService(TaskBackend backend, SecretSource secrets, ArtifactStore artifacts, ArtifactHandoff handoff,
            AuditRecorder audit, Clock clock, Path stateDir, int memoryLines) {
        this(backend, secrets, artifacts, handoff, audit, clock, stateDir, memoryLines, Telemetry.disabled("executor"));
    }

    /**
     * As above, measuring tasks through {@code telemetry}: {@code portcullis.executor.task.duration}
     * (creation to end, by final {@code state} and {@code artifact}: produces, applies or none),
     * {@code portcullis.executor.tasks} (unfinished tasks by state) and
     * {@code portcullis.executor.secret.failures} (secrets that could not be read, by {@code phase}).
     */
    public TaskService(TaskBackend backend, SecretSource secrets, ArtifactStore artifacts, ArtifactHandoff handoff,
            AuditRecorder audit, Clock clock, Path stateDir, int memoryLines, Telemetry telemetry) {
        this.auditor = new TaskAuditor(audit, clock, requireNonNull(telemetry, "telemetry is null"));
        this.backend = requireNonNull(backend, "backend is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
        this.artifacts = requireNonNull(artifacts, "artifacts is null");
        this.handoff = requireNonNull(handoff, "handoff is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.journalDir = requireNonNull(stateDir, "stateDir is null").resolve("journal");
        this.incomingDir = stateDir.resolve("incoming");
        if (memoryLines < 1) {
            throw new IllegalArgumentException("memoryLines must be at least 1");
        }
        this.memoryLines = memoryLines;
        clearIncoming();
        recover();
        auditor.countUnfinished(() -> tasks.values().stream().map(entry -> entry.task).toList());
    }

    /** Whether the backend can start tasks now ({@link TaskBackend#readiness()}). */
    public Readiness backendReadiness() {
        return backend.readiness();
    }

    /**
     * Starts the task of {@code spec.runId()}. Starting the same task again — also after a
     * restart — returns it as it is and never starts a second one. Blocks while the plan artifact
     * is fetched and the secrets are read.
     *
     * @throws DomainException CONFLICT (TASK_CONFLICT) when that run id was started with other content
     * @throws InvalidRequestException when the plan artifact is not one of this executor's store
     */
    public Task start(TaskSpec spec, List<SecretGrant> grants) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("run_id", spec.runId().value())) {
            return startNew(spec, grants);
        }
    }

    private Task startNew(TaskSpec spec, List<SecretGrant> grants) {
        List<SecretGrant> granted = List.copyOf(grants);
        Entry existing = tasks.get(spec.runId());
        if (existing != null) {
            return existing.sameOrConflict(spec, granted);
        }
        spec.artifacts().plan().ifPresent(plan -> {
            if (artifacts.locate(plan.uri()).isEmpty()) {
                throw new InvalidRequestException(List.of(new FieldViolation("task.plan_artifact.uri",
                        "is not an artifact of this executor's store")));
            }
        });
        Entry fresh;
        synchronized (creating) {
            existing = tasks.get(spec.runId());
            if (existing != null) {
                return existing.sameOrConflict(spec, granted);
            }
            TaskJournal journal = TaskJournal.create(journalDir, new TaskJournal.Header(spec, granted, backend.kind()));
            fresh = new Entry(spec, granted, new TaskLog(journal, memoryLines), Task.pending(spec.runId(), backend.kind(),
                    clock.instant()));
            fresh.publish(fresh.task);
            tasks.put(spec.runId(), fresh);
        }
        fresh.launch();
        return fresh.task;
    }

    /** @throws DomainException NOT_FOUND (TASK_NOT_FOUND) */
    public Task get(RunId runId) {
        return entry(runId).task;
    }

    /** Stops a task; a finished task is returned unchanged. */
    public Task cancel(RunId runId, String reason) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("run_id", runId.value())) {
            Entry entry = entry(runId);
            entry.cancel(reason);
            return entry.task;
        }
    }

    /** Up to {@code max} events from {@code offset}. */
    public List<TaskEvent> events(RunId runId, long offset, int max) {
        return entry(runId).log.read(offset, max);
    }

    /** Number of events so far. */
    public long eventCount(RunId runId) {
        return entry(runId).log.size();
    }

    /** Waits for an event at {@code offset}; false on timeout or when the task's stream has ended. */
    public boolean awaitEvent(RunId runId, long offset, Duration timeout) throws InterruptedException {
        return entry(runId).log.await(offset, timeout);
    }

    /** True when the task's stream has ended and {@code offset} is past its last event. */
    public boolean exhausted(RunId runId, long offset) {
        TaskLog log = entry(runId).log;
        return log.closed() && offset >= log.size();
    }

    /** Events of the task held in memory; the rest are read from its journal. */
    int eventsInMemory(RunId runId) {
        return entry(runId).log.inMemory();
    }

    private Entry entry(RunId runId) {
        Entry entry = tasks.get(runId);
        if (entry == null) {
            throw new DomainException(DomainException.Kind.NOT_FOUND, "TASK_NOT_FOUND", "no task for this run",
                    Map.of("run_id", runId.value()));
        }
        return entry;
    }

    private void recover() {
        for (Path file : TaskJournal.files(journalDir)) {
            Recovered recovered = new Recovered();
            TaskJournal.Header header;
            try {
                header = TaskJournal.open(file, (h, journal) -> {
                    recovered.log = new TaskLog(journal, memoryLines);
                    return recovered::event;
                });
            } catch (UncheckedIOException e) {
                log.atError().setCause(e).addKeyValue("journal", file.getFileName()).log("task.journal_unreadable");
                continue;
            }
            if (recovered.last == null) {
                log.atError().addKeyValue("journal", file.getFileName()).log("task.journal_without_state");
                recovered.log.release();
                continue;
            }
            Entry entry = new Entry(header.spec(), header.grants(), recovered.log, recovered.last);
            tasks.put(header.spec().runId(), entry);
            if (entry.task.state().isFinal()) {
                recovered.log.close();
            } else if (backend.survivesRestart() && header.backend() == backend.kind()) {
                entry.resume(recovered.stdoutLines);
            } else {
                entry.endAfterRestart(header.backend() == backend.kind() ? RESTARTED
                        : "executor restarted with another backend while the task ran; it is not followed again");
            }
        }
    }

    /** What a journal's replay found. */
    private static final class Recovered {
        TaskLog log;
        Task last;
        long stdoutLines;

        void event(TaskEvent event, long position) {
            log.restored(event, position);
            if (event instanceof TaskEvent.StateChanged changed) {
                last = changed.task();
            } else if (event instanceof TaskEvent.Line line && line.stream() == TaskEvent.Stream.STDOUT) {
                stdoutLines++;
            }
        }
    }

    private void clearIncoming() {
        try {
            Files.createDirectories(incomingDir);
            try (var stale = Files.list(incomingDir)) {
                for (Path file : stale.toList()) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the executor's incoming directory cannot be prepared", e);
        }
    }

    /** One task's state, log and run. */
    private final class Entry implements TaskRun {
        final TaskSpec spec;
        final List<SecretGrant> grants;
        final TaskLog log;
        volatile Task task;
        // guarded by this
        private TaskBackend.Handle handle;
        private boolean cancelRequested;
        private String cancelReason = "";
        private TaskSecrets opened = TaskSecrets.none();
        private LineStream stdout;
        private LineStream stderr;
        private LineStream system;
        private long skipStdout;
        private TaskFailure refusal = TaskFailure.NONE;
        private String refusalMessage = "";
        private ArtifactRef produced;
        private Path plan;
        private boolean detached;

        Entry(TaskSpec spec, List<SecretGrant> grants, TaskLog log, Task task) {
            this.spec = spec;
            this.grants = grants;
            this.log = log;
            this.task = task;
        }

        Task sameOrConflict(TaskSpec other, List<SecretGrant> otherGrants) {
            if (!spec.sameTaskAs(other) || !grants.equals(otherGrants)) {
                throw new DomainException(DomainException.Kind.CONFLICT, "TASK_CONFLICT",
                        "a task for this run was already started with different content", Map.of("run_id", spec.runId().value()));
            }
            return task;
        }

        void launch() {
            boolean remote = !backend.collectsFiles();
            if (spec.artifacts().plan().isPresent()
                    && !(remote ? verifyPlan(spec.artifacts().plan().get()) : fetchPlan(spec.artifacts().plan().get()))) {
                return;
            }
            TaskSecrets taskSecrets;
            try {
                taskSecrets = secrets.open(grants);
            } catch (SecretUnavailableException e) {
                auditor.secretsUnreadable("start");
                failBeforeStart(TaskFailure.SECRETS_UNAVAILABLE, e.getMessage(), Map.of());
                return;
            }
            for (String name : taskSecrets.environment().keySet()) {
                if (RESERVED.contains(name) || name.startsWith("LD_") || name.startsWith("DYLD_") || name.startsWith("PORTCULLIS_")) {
                    taskSecrets.close();
                    failBeforeStart(TaskFailure.SECRETS_UNAVAILABLE,
                            "a granted secret defines " + name + ", which would override the task's own environment", Map.of());
                    return;
                }
            }
            Map<String, String> environment = new HashMap<>(taskSecrets.environment());
            List<Secret> urls = new ArrayList<>();
            if (remote) {
                try {
                    handOff(environment, urls);
                } catch (ArtifactException e) {
                    taskSecrets.close();
                    boolean plan = spec.artifacts().plan().isPresent();
                    failBeforeStart(plan ? TaskFailure.PLAN_UNAVAILABLE : TaskFailure.ARTIFACT_UNAVAILABLE,
                            (plan ? "PLAN_UNAVAILABLE: " : "ARTIFACT_UNAVAILABLE: ") + e.getMessage(), Map.of());
                    return;
                }
            }
            if (!redactWith(taskSecrets, urls)) {
                return;
            }
            auditor.secretsIssued(spec, grants);
            synchronized (this) {
                handle = backend.start(spec, Map.copyOf(environment), this);
                if (cancelRequested) {
                    handle.cancel(cancelReason);
                }
            }
        }

        /** Follows a task an earlier executor started; the first {@code stdoutLines} lines are in the journal already. */
        void resume(long stdoutLines) {
            // only KV values can be read again (dynamic credentials would be new ones): they and the
            // credential patterns redact the rest of the log
            List<SecretGrant> readable = grants.stream().filter(g -> g.kind() == SecretGrant.Kind.KV).toList();
            TaskSecrets reopened;
            try {
                reopened = secrets.open(readable);
            } catch (SecretUnavailableException e) {
                auditor.secretsUnreadable("resume");
                synchronized (this) {
                    // fail closed: without the values the log cannot be redacted, so nothing of it is kept
                    refusal = TaskFailure.SECRETS_UNAVAILABLE;
                    refusalMessage = "the executor restarted and could not read the task's secrets to redact its log";
                    handle = backend.resume(spec, this);
                    handle.cancel(refusalMessage);
                }
                return;
            }
            if (!redactWith(reopened, List.of())) {
                return;
            }
            synchronized (this) {
                skipStdout = stdoutLines;
                emit(TaskEvent.Stream.SYSTEM, system.accept("the executor restarted; following the task again"));
                handle = backend.resume(spec, this);
            }
        }

        /**
         * The presigned URLs of the task's artifacts, into its {@code environment}; each URL and its
         * signature also into {@code urls}, so the task's log is redacted of them.
         */
        private void handOff(Map<String, String> environment, List<Secret> urls) {
            Duration validFor = spec.timeout().plus(URL_MARGIN);
            validFor = validFor.compareTo(MAX_URL_VALIDITY) > 0 ? MAX_URL_VALIDITY : validFor;
            if (spec.artifacts().plan().isPresent()) {
                ArtifactRef ref = spec.artifacts().plan().get();
                ArtifactLocation location = artifacts.locate(ref.uri()).orElseThrow();
                ArtifactUrl url = handoff.downloadUrl(location, validFor);
                environment.put("PORTCULLIS_PLAN_PATH", location.path().value());
                environment.put("PORTCULLIS_PLAN_SHA256", ref.sha256().value());
                environment.put("PORTCULLIS_PLAN_GET_URL", url.reveal());
                urls.addAll(secretsOf("plan download URL", url));
            }
            if (spec.artifacts().produces().isPresent()) {
                ArtifactPath path = spec.artifacts().produces().get();
                ArtifactUrl url = handoff.uploadUrl(new ArtifactLocation(spec.runId(), path), validFor);
                environment.put("PORTCULLIS_ARTIFACT_PATH", path.value());
                environment.put("PORTCULLIS_ARTIFACT_PUT_URL", url.reveal());
                urls.addAll(secretsOf("artifact upload URL", url));
            }
        }

        private static List<Secret> secretsOf(String name, ArtifactUrl url) {
            List<Secret> secrets = new ArrayList<>(List.of(new Secret(name, url.reveal())));
            url.signature().ifPresent(signature -> secrets.add(new Secret(name + "#signature", signature)));
            return secrets;
        }

        private boolean redactWith(TaskSecrets taskSecrets, List<Secret> more) {
            Redactor redactor;
            try {
                List<Secret> all = new ArrayList<>(taskSecrets.valuesByPath().entrySet().stream()
                        .map(secret -> new Secret(secret.getKey(), secret.getValue())).toList());
                all.addAll(more);
                redactor = Redactor.of(all);
            } catch (UnsafeSecretException e) {
                taskSecrets.close();
                failBeforeStart(TaskFailure.SECRETS_UNAVAILABLE, e.getMessage(), Map.of());
                return false;
            }
            synchronized (this) {
                opened = taskSecrets;
                stdout = redactor.stream();
                stderr = redactor.stream();
                system = redactor.stream();
            }
            return true;
        }

        /** Fetches and checks the plan; false when the task has failed instead. */
        private boolean fetchPlan(ArtifactRef ref) {
            ArtifactLocation location = artifacts.locate(ref.uri()).orElseThrow();
            Path target = incomingDir.resolve(spec.runId().value() + "-" + UUID.randomUUID());
            try {
                ArtifactDigests.fetchVerified(artifacts, location, ref, target);
            } catch (ArtifactException e) {
                failPlan(ref, e);
                return false;
            }
            synchronized (this) {
                plan = target;
            }
            return true;
        }

        /** Checks the stored plan's bytes for a task that fetches it itself; false when the task has failed instead. */
        private boolean verifyPlan(ArtifactRef ref) {
            try {
                ArtifactDigests.verify(artifacts, artifacts.locate(ref.uri()).orElseThrow(), ref);
            } catch (ArtifactException e) {
                failPlan(ref, e);
                return false;
            }
            return true;
        }

        private void failPlan(ArtifactRef ref, ArtifactException e) {
            boolean mismatch = e.problem() == ArtifactException.Problem.DIGEST_MISMATCH;
            failBeforeStart(mismatch ? TaskFailure.PLAN_DIGEST_MISMATCH : TaskFailure.PLAN_UNAVAILABLE,
                    (mismatch ? "PLAN_DIGEST_MISMATCH: " : "PLAN_UNAVAILABLE: ") + e.getMessage(),
                    Map.of("expected_digest", ref.sha256().value(), "plan_uri", ref.uri()));
        }

        synchronized void cancel(String reason) {
            if (task.state().isFinal()) {
                return;
            }
            cancelRequested = true;
            cancelReason = reason;
            if (handle != null) {
                handle.cancel(reason);
            }
        }

        @Override
        public synchronized void launched(String backendRef) {
            if (detached) {
                return;
            }
            Task next = task.state() == TaskState.PENDING ? task.moveTo(TaskState.STARTING, clock.instant(), "") : task;
            if (next != task || !next.backendRef().equals(backendRef)) {
                publish(next.withBackendRef(backendRef));
            }
        }

        @Override
        public synchronized void running() {
            if (detached || task.state() == TaskState.RUNNING) {
                return;
            }
            if (task.state() == TaskState.PENDING) {
                publish(task.moveTo(TaskState.STARTING, clock.instant(), ""));
            }
            publish(task.moveTo(TaskState.RUNNING, clock.instant(), ""));
            auditor.started(spec, backend.kind());
        }

        @Override
        public synchronized void line(TaskEvent.Stream stream, String text) {
            if (detached || stdout == null) {
                return; // no redactor: nothing of the log is kept
            }
            if (stream == TaskEvent.Stream.STDOUT && skipStdout > 0) {
                skipStdout--; // in the journal already, from before the restart
                return;
            }
            LineStream lines = switch (stream) {
                case STDOUT -> stdout;
                case STDERR -> stderr;
                case SYSTEM -> system;
            };
            emit(stream, lines.accept(text));
        }

        @Override
        public synchronized void system(String text) {
            if (detached) {
                return;
            }
            if (task.state() == TaskState.PENDING) {
                publish(task.moveTo(TaskState.STARTING, clock.instant(), ""));
            }
            if (system != null) {
                emit(TaskEvent.Stream.SYSTEM, system.accept(text));
            }
        }

        @Override
        public void prepare(Path checkout, Path folder) {
            Path fetched;
            synchronized (this) {
                fetched = plan;
            }
            if (fetched == null) {
                return;
            }
            ArtifactPath path = spec.artifacts().plan().flatMap(ref -> artifacts.locate(ref.uri())).orElseThrow().path();
            try {
                Path target = confinedNewFile(checkout, folder, path);
                Files.copy(fetched, target);
            } catch (IOException | IllegalStateException e) {
                refuse(TaskFailure.PLAN_UNAVAILABLE, "PLAN_UNAVAILABLE: the plan artifact cannot be placed at '" + path
                        + "' in the folder: " + (e instanceof IllegalStateException ? e.getMessage() : "it cannot be written"));
            }
            system("plan artifact " + path + " placed, SHA-256 " + spec.artifacts().plan().get().sha256());
        }

        @Override
        public void collect(Path checkout, Path folder) {
            if (spec.artifacts().produces().isEmpty()) {
                return;
            }
            ArtifactPath path = spec.artifacts().produces().get();
            Path file = folder.resolve(path.value());
            Path real;
            try {
                real = file.toRealPath();
                if (!real.startsWith(checkout.toRealPath())) {
                    refuse(TaskFailure.ARTIFACT_MISSING, "the artifact '" + path + "' leads outside the checkout");
                }
            } catch (IOException e) {
                refuse(TaskFailure.ARTIFACT_MISSING, "the command succeeded but did not write the artifact '" + path + "'");
                return;
            }
            if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                refuse(TaskFailure.ARTIFACT_MISSING, "the artifact '" + path + "' is not a regular file");
            }
            ArtifactRef ref;
            try {
                ref = artifacts.put(new ArtifactLocation(spec.runId(), path), real);
            } catch (ArtifactException e) {
                refuse(TaskFailure.ARTIFACT_UNAVAILABLE, e.getMessage());
                return;
            }
            synchronized (this) {
                produced = ref;
            }
            system("artifact " + path + " stored, SHA-256 " + ref.sha256() + ", " + ref.sizeBytes() + " bytes");
        }

        private synchronized void refuse(TaskFailure failure, String message) {
            refusal = failure;
            refusalMessage = message;
            throw new TaskRefusedException(failure, message);
        }

        @Override
        public void ended(Outcome outcome, int exitCode, String reason) {
            if (outcome == Outcome.SUCCEEDED && !backend.collectsFiles() && spec.artifacts().produces().isPresent()
                    && !task.state().isFinal()) {
                inspectUploaded(spec.artifacts().produces().get()); // reads the store: not under the lock
            }
            end(outcome, exitCode, reason);
        }

        /** Reads what the task uploaded and digests it here; a missing or unreadable object refuses the task. */
        private void inspectUploaded(ArtifactPath path) {
            ArtifactRef ref;
            try {
                ref = artifacts.inspect(new ArtifactLocation(spec.runId(), path));
            } catch (ArtifactException e) {
                boolean missing = e.problem() == ArtifactException.Problem.MISSING;
                synchronized (this) {
                    refusal = missing ? TaskFailure.ARTIFACT_MISSING : TaskFailure.ARTIFACT_UNAVAILABLE;
                    refusalMessage = missing ? "the command succeeded but the artifact '" + path + "' was not uploaded"
                            : e.getMessage();
                }
                return;
            }
            synchronized (this) {
                produced = ref;
            }
            system("artifact " + path + " stored, SHA-256 " + ref.sha256() + ", " + ref.sizeBytes() + " bytes");
        }

        private synchronized void end(Outcome outcome, int exitCode, String reason) {
            if (detached || task.state().isFinal()) {
                return;
            }
            if (stdout != null) {
                emit(TaskEvent.Stream.STDOUT, stdout.finish());
                emit(TaskEvent.Stream.STDERR, stderr.finish());
                emit(TaskEvent.Stream.SYSTEM, system.finish());
            }
            TaskState state = switch (outcome) {
                case SUCCEEDED -> TaskState.SUCCEEDED;
                case FAILED, LOST -> TaskState.FAILED;
                case CANCELLED -> TaskState.CANCELLED;
                case TIMED_OUT -> TaskState.TIMED_OUT;
            };
            TaskFailure failure = outcome == Outcome.LOST ? TaskFailure.TASK_LOST : refusal;
            String why = state == TaskState.CANCELLED && !cancelReason.isEmpty() ? "cancelled: " + cancelReason : reason;
            if (state == TaskState.SUCCEEDED && spec.artifacts().produces().isPresent() && produced == null) {
                // a backend that cannot collect artifacts never reports one; the plan must not look stored
                state = TaskState.FAILED;
                failure = TaskFailure.ARTIFACT_MISSING;
                why = "the artifact '" + spec.artifacts().produces().get() + "' was not collected";
            }
            if (failure != TaskFailure.NONE && state != TaskState.FAILED && outcome != Outcome.TIMED_OUT) {
                state = TaskState.FAILED; // a refusal ends the task failed, also when the backend stopped it for that
                why = refusalMessage;
            }
            Task ended = (exitCode >= 0 ? task.withExitCode(exitCode) : task).withFailure(failure);
            if (state == TaskState.SUCCEEDED && produced != null) {
                ended = ended.withArtifact(produced);
            }
            finish(ended.moveTo(state, clock.instant(), why), exitCode);
        }

        /** The executor restarted while this task ran on a backend whose tasks do not survive that. */
        synchronized void endAfterRestart(String reason) {
            finish(task.withFailure(TaskFailure.EXECUTOR_RESTARTED).moveTo(TaskState.FAILED, clock.instant(), reason), -1);
        }

        private void failBeforeStart(TaskFailure failure, String reason, Map<String, String> attributes) {
            synchronized (this) {
                Task failed = task.withFailure(failure).moveTo(TaskState.FAILED, clock.instant(), reason);
                auditor.measure(spec, failed); // before it is published: whoever sees the end sees it measured
                publish(failed);
                auditor.failedBeforeStart(spec, failure, attributes);
                log.close();
                cleanUp();
            }
        }

        private void finish(Task ended, int exitCode) {
            auditor.measure(spec, ended); // before it is published: whoever sees the end sees it measured
            publish(ended);
            auditor.ended(spec, ended, exitCode);
            log.close();
            cleanUp();
        }

        private void cleanUp() {
            opened.close();
            if (plan != null) {
                try {
                    Files.deleteIfExists(plan);
                } catch (IOException e) {
                    TaskService.log.atWarn().addKeyValue("run_id", spec.runId().value()).log("task.plan_copy_not_deleted");
                }
            }
        }

        /** Stops listening: the task runs on (it survives restarts) and a new executor follows it. */
        synchronized void detach() {
            detached = true;
        }

        private void emit(TaskEvent.Stream stream, List<RedactedLine> lines) {
            for (RedactedLine line : lines) {
                log.append(offset -> new TaskEvent.Line(offset, clock.instant(), stream, line.text(), line.redacted()), false);
                if (line.redacted()) {
                    auditor.leakMasked(spec, stream, line.detections());
                }
            }
        }

        void publish(Task next) {
            task = next;
            log.append(offset -> new TaskEvent.StateChanged(offset, clock.instant(), next), true);
        }
    }

    /**
     * {@code folder/path} as a new file: every directory on the way is a real directory inside
     * the checkout (created when missing), and nothing exists at the path yet — so a symbolic link
     * in the repository cannot redirect the write.
     */
    private static Path confinedNewFile(Path checkout, Path folder, ArtifactPath path) throws IOException {
        Path root = checkout.toRealPath();
        Path directory = folder.toRealPath();
        if (!directory.startsWith(root)) {
            throw new IllegalStateException("the folder leads outside the checkout");
        }
        String[] segments = path.value().split("/");
        for (int i = 0; i < segments.length - 1; i++) {
            directory = directory.resolve(segments[i]);
            if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalStateException("'" + segments[i] + "' is not a directory");
                }
            } else {
                Files.createDirectory(directory);
            }
        }
        Path target = directory.resolve(segments[segments.length - 1]);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("the checkout already holds a file there");
        }
        return target;
    }

    /**
     * Stops: tasks on a backend whose tasks survive restarts keep running (a new service follows
     * them); others are cancelled (local process trees killed) and end CANCELLED. Then the
     * journals are closed.
     */
    @Override
    public void close() {
        if (backend.survivesRestart()) {
            tasks.values().forEach(Entry::detach);
        } else {
            tasks.values().forEach(entry -> entry.cancel("the executor is shutting down"));
        }
        backend.close();
        tasks.values().forEach(Entry::detach);
        tasks.values().forEach(entry -> entry.log.release());
    }
}
