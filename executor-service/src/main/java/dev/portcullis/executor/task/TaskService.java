package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.ArtifactHandoff;
import dev.portcullis.executor.artifact.ArtifactStore;
import dev.portcullis.executor.secret.SecretSource;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.runtime.health.Readiness;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
 * <p><b>Steps and plan summaries.</b> A task's steps run in order; the first that does not
 * succeed ends it FAILED and, where the backend can tell, {@link Task#failedStep()} names it. A plan
 * task with a summary tool gets {@link Task#planSummary()} from the tool's {@code show -json}, read
 * by {@link PlanSummaries} and deleted (a file of the task directory, or the object the task
 * uploaded); when it cannot be derived the task fails with {@link TaskFailure#PLAN_SUMMARY_UNAVAILABLE}.
 *
 * <p><b>Replicas.</b> Every task's spec, state changes and redacted lines are kept in the
 * {@link TaskStore} that every replica shares; any replica answers for any task with its full
 * log, and starting a known run id again — through any replica, also concurrently — returns its
 * task (the store's unique run id decides). Each unfinished task is followed by the one replica
 * holding its lease in the store. When a replica stops, its tasks are taken over after its
 * leases run out (at once when it stopped cleanly): a task whose backend
 * {@linkplain TaskBackend#survivesRestart() survives its replica} (ECS) is followed on, its log
 * continuing after the stored lines; another ends {@link TaskFailure#EXECUTOR_RESTARTED}.
 * Watchers of a task this replica follows are woken by each event; those of a task another
 * replica follows read the store every {@link TaskReplica#pollInterval()}. Only the newest
 * {@code memoryLines} events of each followed task are kept in memory. Thread-safe.
 *
 * <p>This is the facade the {@code api} package calls. The work is done by {@link TaskRegistry}
 * (tasks by run id, start idempotency, leases and takeover), {@link TaskExecution} (one task's run),
 * {@link TaskLifecycle} (its state machine), {@link TaskOutput} (its redaction pipeline),
 * {@link TaskEnvironment} (its secrets and environment), {@link PlanStaging},
 * {@link ArtifactCollector} and {@link PlanSummaries} (its artifacts and plan summary) and {@link TaskAuditor} (its audit events and metrics).
 */
public final class TaskService implements AutoCloseable {
    /** Why a task that ran while the executor stopped has failed. */
    public static final String RESTARTED = "executor restarted while the task ran";

    private final TaskBackend backend;
    private final TaskReplica replica;
    private final TaskStore store;
    private final TaskRegistry tasks;

    /**
     * Takes over the unfinished tasks nobody follows (with an exclusive store: every unfinished
     * task), following each again or marking it failed, and then tends this replica's leases in the
     * background. Blocks for the takeover (for tasks followed again, reading the KV secrets their log
     * is redacted with).
     *
     * @param stateDir the executor's own directory: {@code incoming/} (fetched plans) below it
     * @param memoryLines events of each followed task kept in memory (at least 1); older ones are read from the store
     * @param replica the store shared by the executor's replicas, and this replica's place there
     */
    public TaskService(TaskBackend backend, SecretSource secrets, ArtifactStore artifacts, AuditRecorder audit, Clock clock,
            Path stateDir, int memoryLines, TaskReplica replica) {
        this(backend, secrets, artifacts, ArtifactHandoff.unsupported(), audit, clock, stateDir, memoryLines, replica);
    }

    /**
     * As above, with {@code handoff} giving tasks on a backend that does not collect files the URLs
     * of their artifacts in {@code artifacts} (the same store).
     */
    public TaskService(TaskBackend backend, SecretSource secrets, ArtifactStore artifacts, ArtifactHandoff handoff,
            AuditRecorder audit, Clock clock, Path stateDir, int memoryLines, TaskReplica replica) {
        this(backend, secrets, artifacts, handoff, audit, clock, stateDir, memoryLines, Telemetry.disabled("executor"), replica);
    }

    /**
     * As above, measuring tasks through {@code telemetry}: {@code portcullis.executor.task.duration}
     * (creation to end, by final {@code state} and {@code artifact}: produces, applies or none),
     * {@code portcullis.executor.tasks} (unfinished tasks by state) and
     * {@code portcullis.executor.secret.failures} (secrets that could not be read, by {@code phase}).
     */
    public TaskService(TaskBackend backend, SecretSource secrets, ArtifactStore artifacts, ArtifactHandoff handoff,
            AuditRecorder audit, Clock clock, Path stateDir, int memoryLines, Telemetry telemetry, TaskReplica replica) {
        TaskAuditor auditor = new TaskAuditor(audit, clock, requireNonNull(telemetry, "telemetry is null"));
        this.backend = requireNonNull(backend, "backend is null");
        this.replica = requireNonNull(replica, "replica is null");
        this.store = replica.store();
        PlanStaging plans = new PlanStaging(artifacts, requireNonNull(stateDir, "stateDir is null").resolve("incoming"));
        this.tasks = new TaskRegistry(replica, memoryLines, new TaskExecution.Collaborators(backend,
                new TaskEnvironment(secrets, artifacts, handoff, auditor), plans, new ArtifactCollector(artifacts),
                new PlanSummaries(artifacts), auditor, clock, store));
        plans.clearIncoming();
        tasks.recover();
        auditor.countUnfinished(tasks::current);
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
            return tasks.start(spec, grants);
        }
    }

    /**
     * The task as this replica has it, or as the store has it when another replica follows it.
     *
     * @throws DomainException NOT_FOUND (TASK_NOT_FOUND)
     */
    public Task get(RunId runId) {
        Optional<TaskExecution> followed = tasks.followed(runId);
        return followed.isPresent() ? followed.get().task() : tasks.stored(runId).task();
    }

    /**
     * Stops a task; a finished task is returned unchanged. A task another replica follows is
     * stopped by that replica when it next renews its leases (within a second).
     */
    public Task cancel(RunId runId, String reason) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("run_id", runId.value())) {
            Optional<TaskExecution> followed = tasks.followed(runId);
            if (followed.isPresent()) {
                followed.get().cancel(reason);
                return followed.get().task();
            }
            Task task = tasks.stored(runId).task();
            if (!task.state().isFinal()) {
                store.requestCancel(runId, reason);
            }
            return task;
        }
    }

    /** Up to {@code max} events from {@code offset}. @throws DomainException NOT_FOUND (TASK_NOT_FOUND) */
    public List<TaskEvent> events(RunId runId, long offset, int max) {
        Optional<TaskExecution> followed = tasks.followed(runId);
        if (followed.isPresent()) {
            return followed.get().log().read(offset, max);
        }
        List<TaskEvent> events = store.events(runId, offset, max);
        if (events.isEmpty()) {
            tasks.stored(runId); // none, or no such task
        }
        return events;
    }

    /** Number of events so far. */
    public long eventCount(RunId runId) {
        Optional<TaskExecution> followed = tasks.followed(runId);
        if (followed.isPresent()) {
            return followed.get().log().size();
        }
        tasks.stored(runId);
        return store.eventCount(runId);
    }

    /**
     * Waits for an event at {@code offset}; false on timeout or when the task's stream has ended.
     * Woken by the event itself for a task this replica follows; for another replica's task, the
     * store is read every poll interval (and the wait moves to the log when this replica takes it over).
     */
    public boolean awaitEvent(RunId runId, long offset, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            Optional<TaskExecution> followed = tasks.followed(runId);
            if (followed.isPresent()) {
                TaskLog log = followed.get().log();
                if (log.await(offset, Duration.ofNanos(remaining)) || !log.lost()) {
                    return log.size() > offset;
                }
                continue; // another replica took the task: read the store
            }
            boolean ended = tasks.stored(runId).task().state().isFinal(); // before counting: an end is the last event
            if (store.eventCount(runId) > offset) {
                return true;
            }
            if (ended) {
                return false;
            }
            tasks.pause(Duration.ofNanos(Math.min(remaining, replica.pollInterval().toNanos())));
        }
    }

    /** True when the task's stream has ended and {@code offset} is past its last event. */
    public boolean exhausted(RunId runId, long offset) {
        Optional<TaskExecution> followed = tasks.followed(runId);
        if (followed.isPresent()) {
            TaskLog log = followed.get().log();
            return log.closed() && offset >= log.size();
        }
        boolean ended = tasks.stored(runId).task().state().isFinal(); // before counting: an end is the last event
        return ended && offset >= store.eventCount(runId);
    }

    /** Events of a task this replica follows held in memory; the rest are read from the store. */
    int eventsInMemory(RunId runId) {
        return tasks.followed(runId).orElseThrow().log().inMemory();
    }

    /**
     * Stops: tasks on a backend whose tasks survive restarts keep running, and their leases are
     * given up so another replica follows them at once; others are cancelled (local process trees
     * killed) and end CANCELLED.
     */
    @Override
    public void close() {
        tasks.stop();
        if (backend.survivesRestart()) {
            tasks.all().forEach(TaskExecution::detach);
        } else {
            tasks.all().forEach(execution -> execution.cancel("the executor is shutting down"));
        }
        backend.close();
        tasks.all().forEach(TaskExecution::detach);
        tasks.release();
    }

    /**
     * Stops at once without any cleanup, as a killed executor would: leases are neither renewed
     * nor given up, nothing more is stored, ECS tasks are left running. For fault injection (tests and
     * the reliability bench); {@link #close} is the way to stop.
     */
    public void abandon() {
        tasks.stop();
        tasks.all().forEach(execution -> {
            execution.log().lose();
            execution.detach();
        });
        backend.close();
    }
}
