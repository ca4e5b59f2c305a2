package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.backend.local.LocalRun;
import dev.portcullis.executor.redact.LineStream;
import dev.portcullis.executor.redact.RedactedLine;
import dev.portcullis.executor.redact.Redactor;
import dev.portcullis.executor.redact.Secret;
import dev.portcullis.executor.redact.UnsafeSecretException;
import dev.portcullis.executor.secret.SecretGrant;
import dev.portcullis.executor.secret.SecretSource;
import dev.portcullis.executor.secret.SecretUnavailableException;
import dev.portcullis.executor.secret.TaskSecrets;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.RunId;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks: one task per run id, ever. Fetches exactly the granted secrets, runs the task,
 * and passes every line through the task's redactor before it is kept, so nothing a watcher,
 * a log or an error sees carries a secret. Each masked detection is audited as
 * {@code secret.leak_detected} (without the secret). Thread-safe.
 */
public final class TaskService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskService.class);

    private static final java.util.Set<String> RESERVED = java.util.Set.of("PATH", "HOME", "LANG", "SHELL", "IFS");

    private final LocalProcessTaskBackend backend;
    private final SecretSource secrets;
    private final AuditRecorder audit;
    private final Clock clock;
    private final Map<RunId, Entry> tasks = new ConcurrentHashMap<>();

    public TaskService(LocalProcessTaskBackend backend, SecretSource secrets, AuditRecorder audit, Clock clock) {
        this.backend = requireNonNull(backend, "backend is null");
        this.secrets = requireNonNull(secrets, "secrets is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Starts the task of {@code spec.runId()}. Starting the same task again returns it as it is
     * and never starts a second one.
     *
     * @throws DomainException CONFLICT (TASK_CONFLICT) when that run id was started with other content
     */
    public Task start(TaskSpec spec, List<SecretGrant> grants) {
        Entry fresh = new Entry(spec, List.copyOf(grants), Task.pending(spec.runId(), clock.instant()));
        Entry entry = tasks.putIfAbsent(spec.runId(), fresh);
        if (entry != null) {
            if (!entry.spec.equals(spec) || !entry.grants.equals(grants)) {
                throw new DomainException(DomainException.Kind.CONFLICT, "TASK_CONFLICT",
                        "a task for this run was already started with different content", Map.of("run_id", spec.runId().value()));
            }
            return entry.task;
        }
        fresh.publish(fresh.task);
        fresh.launch();
        return fresh.task;
    }

    /** @throws DomainException NOT_FOUND (TASK_NOT_FOUND) */
    public Task get(RunId runId) {
        return entry(runId).task;
    }

    /** Stops a task; a finished task is returned unchanged. */
    public Task cancel(RunId runId, String reason) {
        Entry entry = entry(runId);
        entry.cancel(reason);
        return entry.task;
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

    private Entry entry(RunId runId) {
        Entry entry = tasks.get(runId);
        if (entry == null) {
            throw new DomainException(DomainException.Kind.NOT_FOUND, "TASK_NOT_FOUND", "no task for this run",
                    Map.of("run_id", runId.value()));
        }
        return entry;
    }

    /** One task's state, log and run. */
    private final class Entry implements LocalRun {
        final TaskSpec spec;
        final List<SecretGrant> grants;
        final TaskLog log = new TaskLog();
        volatile Task task;
        // guarded by this
        private LocalProcessTaskBackend.Handle handle;
        private boolean cancelRequested;
        private String cancelReason = "";
        private TaskSecrets opened;
        private LineStream stdout;
        private LineStream stderr;
        private LineStream system;

        Entry(TaskSpec spec, List<SecretGrant> grants, Task task) {
            this.spec = spec;
            this.grants = grants;
            this.task = task;
        }

        void launch() {
            TaskSecrets taskSecrets;
            Redactor redactor;
            try {
                taskSecrets = secrets.open(grants);
            } catch (SecretUnavailableException e) {
                fail(e.getMessage());
                return;
            }
            for (String name : taskSecrets.environment().keySet()) {
                if (RESERVED.contains(name) || name.startsWith("LD_") || name.startsWith("DYLD_")) {
                    taskSecrets.close();
                    fail("a granted secret defines " + name + ", which would override the task's own environment");
                    return;
                }
            }
            try {
                redactor = Redactor.of(taskSecrets.valuesByPath().entrySet().stream()
                        .map(secret -> new Secret(secret.getKey(), secret.getValue())).toList());
            } catch (UnsafeSecretException e) {
                taskSecrets.close();
                fail(e.getMessage());
                return;
            }
            if (!grants.isEmpty()) {
                record(AuditAction.SECRET_ISSUED, AuditOutcome.SUCCESS, "", Map.of("paths",
                        grants.stream().map(SecretGrant::path).collect(Collectors.joining(","))));
            }
            synchronized (this) {
                opened = taskSecrets;
                stdout = redactor.stream();
                stderr = redactor.stream();
                system = redactor.stream();
                handle = backend.start(spec, taskSecrets.environment(), this);
                if (cancelRequested) {
                    handle.cancel();
                }
            }
        }

        synchronized void cancel(String reason) {
            if (task.state().isFinal()) {
                return;
            }
            cancelRequested = true;
            cancelReason = reason;
            if (handle != null) {
                handle.cancel();
            }
        }

        @Override
        public synchronized void started(long pid) {
            if (task.state() == TaskState.PENDING) {
                publish(task.moveTo(TaskState.STARTING, clock.instant(), ""));
            }
            publish(task.withBackendRef("pid:" + pid).moveTo(TaskState.RUNNING, clock.instant(), ""));
            record(AuditAction.TASK_STARTED, AuditOutcome.SUCCESS, "", Map.of("backend", "local"));
        }

        @Override
        public synchronized void line(boolean isStderr, String text) {
            emit(isStderr ? TaskEvent.Stream.STDERR : TaskEvent.Stream.STDOUT, (isStderr ? stderr : stdout).accept(text));
        }

        @Override
        public synchronized void system(String text) {
            if (task.state() == TaskState.PENDING) {
                publish(task.moveTo(TaskState.STARTING, clock.instant(), ""));
            }
            emit(TaskEvent.Stream.SYSTEM, system.accept(text));
        }

        @Override
        public synchronized void ended(Outcome outcome, int exitCode, String reason) {
            emit(TaskEvent.Stream.STDOUT, stdout.finish());
            emit(TaskEvent.Stream.STDERR, stderr.finish());
            emit(TaskEvent.Stream.SYSTEM, system.finish());
            TaskState state = switch (outcome) {
                case SUCCEEDED -> TaskState.SUCCEEDED;
                case FAILED -> TaskState.FAILED;
                case CANCELLED -> TaskState.CANCELLED;
                case TIMED_OUT -> TaskState.TIMED_OUT;
            };
            Task ended = exitCode >= 0 ? task.withExitCode(exitCode) : task;
            String why = state == TaskState.CANCELLED && !cancelReason.isEmpty() ? "cancelled: " + cancelReason : reason;
            publish(ended.moveTo(state, clock.instant(), why));
            record(state == TaskState.CANCELLED ? AuditAction.TASK_CANCELLED : AuditAction.TASK_FINISHED,
                    state == TaskState.SUCCEEDED || state == TaskState.CANCELLED ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE,
                    state.name(), Map.of("exit_code", String.valueOf(exitCode)));
            log.close();
            opened.close();
        }

        private void fail(String reason) {
            synchronized (this) {
                publish(task.moveTo(TaskState.FAILED, clock.instant(), reason));
                record(AuditAction.TASK_FINISHED, AuditOutcome.FAILURE, "SECRETS_UNAVAILABLE", Map.of());
                log.close();
            }
        }

        private void emit(TaskEvent.Stream stream, List<RedactedLine> lines) {
            for (RedactedLine line : lines) {
                log.append(offset -> new TaskEvent.Line(offset, clock.instant(), stream, line.text(), line.redacted()));
                if (line.redacted()) {
                    record(AuditAction.SECRET_LEAK_DETECTED, AuditOutcome.SUCCESS, "MASKED", Map.of(
                            "stream", stream.name().toLowerCase(),
                            "detections", truncate(String.join(",", line.detections()))));
                }
            }
        }

        private void publish(Task next) {
            task = next;
            log.append(offset -> new TaskEvent.StateChanged(offset, clock.instant(), next));
        }

        private void record(AuditAction action, AuditOutcome outcome, String reason, Map<String, String> attributes) {
            try {
                audit.record(AuditEvent.builder("executor", action, clock.instant())
                        .resource(new AuditResource("task", spec.runId().value(), "", spec.runId().value()))
                        .outcome(outcome)
                        .reason(reason)
                        .attributes(attributes)
                        .build());
            } catch (RuntimeException e) {

                TaskService.log.atError().setCause(e).log("task.audit_failed");
            }
        }
    }

    private static String truncate(String text) {
        return text.length() > 1024 ? text.substring(0, 1024) : text;
    }

    @Override
    public void close() {
        tasks.values().forEach(entry -> entry.cancel("the executor is shutting down"));
        backend.close();
    }
}
