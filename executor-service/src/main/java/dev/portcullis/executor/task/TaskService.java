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
 * <p><b>Restarts.</b> Every task's spec, state changes and redacted lines go to its
 * {@link TaskJournal} under {@code stateDir/journal}; a new service on the same directory answers
 * for every journaled task with its full log, and starting a known run id again returns it. A task
 * that was unfinished is followed again when its backend {@linkplain TaskBackend#survivesRestart()
 * survives restarts} (its log continues where the journal ends), and otherwise ends
 * {@link TaskFailure#EXECUTOR_RESTARTED}. Only the newest {@code memoryLines} events of each task
 * are kept in memory. Thread-safe.
 *
 * <p>This is the facade the {@code api} package calls. The work is done by {@link TaskRegistry}
 * (tasks by run id, start idempotency, recovery), {@link TaskExecution} (one task's run),
 * {@link TaskLifecycle} (its state machine), {@link TaskOutput} (its redaction pipeline),
 * {@link TaskEnvironment} (its secrets and environment), {@link PlanStaging},
 * {@link ArtifactCollector} and {@link PlanSummaries} (its artifacts and plan summary) and {@link TaskAuditor} (its audit events and metrics).
 */
public final class TaskService implements AutoCloseable {
    /** Why a task that ran while the executor stopped has failed. */
    public static final String RESTARTED = "executor restarted while the task ran";

    private final TaskBackend backend;
    private final TaskRegistry tasks;

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
        TaskAuditor auditor = new TaskAuditor(audit, clock, requireNonNull(telemetry, "telemetry is null"));
        this.backend = requireNonNull(backend, "backend is null");
        PlanStaging plans = new PlanStaging(artifacts, requireNonNull(stateDir, "stateDir is null").resolve("incoming"));
        this.tasks = new TaskRegistry(stateDir.resolve("journal"), memoryLines, new TaskExecution.Collaborators(backend,
                new TaskEnvironment(secrets, artifacts, handoff, auditor), plans, new ArtifactCollector(artifacts),
                new PlanSummaries(artifacts), auditor, clock));
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

    /** @throws DomainException NOT_FOUND (TASK_NOT_FOUND) */
    public Task get(RunId runId) {
        return tasks.get(runId).task();
    }

    /** Stops a task; a finished task is returned unchanged. */
    public Task cancel(RunId runId, String reason) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("run_id", runId.value())) {
            TaskExecution execution = tasks.get(runId);
            execution.cancel(reason);
            return execution.task();
        }
    }

    /** Up to {@code max} events from {@code offset}. */
    public List<TaskEvent> events(RunId runId, long offset, int max) {
        return tasks.get(runId).log().read(offset, max);
    }

    /** Number of events so far. */
    public long eventCount(RunId runId) {
        return tasks.get(runId).log().size();
    }

    /** Waits for an event at {@code offset}; false on timeout or when the task's stream has ended. */
    public boolean awaitEvent(RunId runId, long offset, Duration timeout) throws InterruptedException {
        return tasks.get(runId).log().await(offset, timeout);
    }

    /** True when the task's stream has ended and {@code offset} is past its last event. */
    public boolean exhausted(RunId runId, long offset) {
        TaskLog log = tasks.get(runId).log();
        return log.closed() && offset >= log.size();
    }

    /** Events of the task held in memory; the rest are read from its journal. */
    int eventsInMemory(RunId runId) {
        return tasks.get(runId).log().inMemory();
    }

    /**
     * Stops: tasks on a backend whose tasks survive restarts keep running (a new service follows
     * them); others are cancelled (local process trees killed) and end CANCELLED. Then the
     * journals are closed.
     */
    @Override
    public void close() {
        if (backend.survivesRestart()) {
            tasks.all().forEach(TaskExecution::detach);
        } else {
            tasks.all().forEach(execution -> execution.cancel("the executor is shutting down"));
        }
        backend.close();
        tasks.all().forEach(TaskExecution::detach);
        tasks.all().forEach(execution -> execution.log().release());
    }
}
