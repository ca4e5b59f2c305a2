package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.plan.PlanSummary;
import dev.portcullis.executor.secret.SecretUnavailableException;
import dev.portcullis.executor.secret.TaskSecrets;
import dev.portcullis.runtime.error.DomainException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * One task's run: launched on the backend (or followed again after a restart), and what the
 * backend reports turned into the task's states and redacted log. Owns the task's backend handle,
 * its open secrets and its fetched plan, and gives them up when the task ends. The backend
 * reports one call at a time; {@link #cancel} and {@link #detach} come from other threads.
 * Thread-safe: the monitor of this orders every report, so a task's events are stored in the
 * order they happened; it is taken before the lifecycle's and the output's own.
 */
final class TaskExecution implements TaskRun {
    private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(TaskExecution.class);

    private final TaskSpec spec;
    private final List<SecretGrant> grants;
    private final TaskLog log;
    private final Collaborators with;
    private final TaskLifecycle lifecycle;
    private final TaskOutput output;
    // guarded by this
    private TaskBackend.Handle handle; // null until the backend has the task
    private TaskSecrets opened = TaskSecrets.none(); // closed when the task ends
    private Path plan; // the fetched plan, deleted when the task ends; null when none was fetched
    private boolean detached; // stopped listening: reports are ignored

    /** What every task's run uses; shared by all tasks of a service. */
    record Collaborators(TaskBackend backend, TaskEnvironment environment, PlanStaging plans, ArtifactCollector artifacts,
            PlanSummaries summaries, TaskAuditor auditor, Clock clock, TaskStore store) {
        Collaborators {
            requireNonNull(store, "store is null");
            requireNonNull(backend, "backend is null");
            requireNonNull(environment, "environment is null");
            requireNonNull(plans, "plans is null");
            requireNonNull(artifacts, "artifacts is null");
            requireNonNull(summaries, "summaries is null");
            requireNonNull(auditor, "auditor is null");
            requireNonNull(clock, "clock is null");
        }
    }

    /** @param task as the task is now: as stored last */
    TaskExecution(TaskSpec spec, List<SecretGrant> grants, TaskLog log, Task task, Collaborators with) {
        this.spec = requireNonNull(spec, "spec is null");
        this.grants = List.copyOf(grants);
        this.log = requireNonNull(log, "log is null");
        this.with = requireNonNull(with, "with is null");
        this.lifecycle = new TaskLifecycle(spec, log, task, with.auditor(), with.clock(), with.store().keepsAudit());
        this.output = new TaskOutput(spec, log, with.auditor(), with.clock());
    }

    Task task() {
        return lifecycle.current();
    }

    TaskLog log() {
        return log;
    }

    /**
     * The task, when {@code other} and {@code otherGrants} ask for this same task.
     *
     * @throws DomainException CONFLICT (TASK_CONFLICT) when they ask for another
     */
    Task sameOrConflict(TaskSpec other, List<SecretGrant> otherGrants) {
        requireSame(spec, grants, other, otherGrants);
        return task();
    }

    /** @throws DomainException CONFLICT (TASK_CONFLICT) when {@code other} and {@code otherGrants} ask for another task than the first two */
    static void requireSame(TaskSpec spec, List<SecretGrant> grants, TaskSpec other, List<SecretGrant> otherGrants) {
        if (!spec.sameTaskAs(other) || !grants.equals(otherGrants)) {
            throw new DomainException(DomainException.Kind.CONFLICT, "TASK_CONFLICT",
                    "a task for this run was already started with different content", Map.of("run_id", spec.runId().value()));
        }
    }

    /** Stages the plan, opens the environment and starts the task on the backend; a failure on the way ends the task FAILED. */
    void launch() {
        boolean remote = !with.backend().collectsFiles();
        if (spec.artifacts().plan().isPresent() && !stagePlan(spec.artifacts().plan().get(), remote)) {
            return;
        }
        TaskEnvironment.Opened environment;
        try {
            environment = with.environment().open(spec, grants, remote);
        } catch (TaskRefusedException e) {
            failBeforeStart(e.failure(), e.getMessage());
            return;
        }
        redactWith(environment);
        with.auditor().secretsIssued(spec, grants);
        synchronized (this) {
            handle = with.backend().start(spec, environment.variables(), this);
            lifecycle.cancelRequest().ifPresent(handle::cancel); // asked to stop while it was being prepared
        }
    }

    /** Fetches and checks the plan, or only checks it for a task that fetches it itself; false when the task has failed instead. */
    private boolean stagePlan(ArtifactRef ref, boolean remote) {
        try {
            if (remote) {
                with.plans().verify(ref);
            } else {
                Path fetched = with.plans().fetch(spec, ref);
                synchronized (this) {
                    plan = fetched;
                }
            }
            return true;
        } catch (TaskRefusedException e) {
            failBeforeStart(e.failure(), e.getMessage());
            return false;
        }
    }

    /**
     * Follows a task an executor that stopped started; the first {@code stdoutLines} lines are
     * stored already, and {@code message} (a system line) says why it is followed again.
     */
    void resume(long stdoutLines, String message) {
        TaskEnvironment.Opened reopened;
        try {
            reopened = with.environment().reopen(grants);
        } catch (SecretUnavailableException e) {
            String refusal = "the executor following the task again could not read the task's secrets to redact its log";
            synchronized (this) {
                // fail closed: without the values the log cannot be redacted, so nothing of it is kept
                lifecycle.refuse(TaskFailure.SECRETS_UNAVAILABLE, refusal);
                handle = with.backend().resume(spec, this);
                handle.cancel(refusal);
            }
            return;
        } catch (TaskRefusedException e) {
            failBeforeStart(e.failure(), e.getMessage());
            return;
        }
        redactWith(reopened);
        synchronized (this) {
            output.skipStdout(stdoutLines);
            output.system(message);
            handle = with.backend().resume(spec, this);
        }
    }

    private synchronized void redactWith(TaskEnvironment.Opened environment) {
        opened = environment.secrets();
        output.redactWith(environment.redactor());
    }

    /** Stops the task; a finished task stays as it is. */
    synchronized void cancel(String reason) {
        if (lifecycle.requestCancel(reason) && handle != null) {
            handle.cancel(reason);
        }
    }

    @Override
    public synchronized void launched(String backendRef) {
        if (!detached) {
            lifecycle.launched(backendRef);
        }
    }

    @Override
    public synchronized void running() {
        if (!detached && lifecycle.running() && !with.store().keepsAudit()) {
            with.auditor().started(spec, with.backend().kind());
        }
    }

    @Override
    public synchronized void running(String backendRef) {
        if (!detached && lifecycle.running(backendRef) && !with.store().keepsAudit()) {
            with.auditor().started(spec, with.backend().kind());
        }
    }

    @Override
    public synchronized void line(TaskEvent.Stream stream, String text) {
        if (!detached) {
            output.line(stream, text);
        }
    }

    @Override
    public synchronized void system(String text) {
        if (detached) {
            return;
        }
        lifecycle.starting(); // stored with the line, in one write
        output.system(text);
        log.flush(); // the start, when the redactor holds the line back
    }

    @Override
    public synchronized void systemBeforeStart(String text) {
        if (!detached) {
            lifecycle.starting();
            output.systemDeferred(text); // stored with the command's start (or the task's end), in one write
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
        ArtifactPath path;
        try {
            path = with.plans().place(spec, fetched, checkout, folder);
        } catch (TaskRefusedException e) {
            throw refuse(e);
        }
        system("plan artifact " + path + " placed, SHA-256 " + spec.artifacts().plan().get().sha256());
    }

    @Override
    public void collect(Path checkout, Path folder) {
        if (spec.artifacts().produces().isEmpty()) {
            return;
        }
        ArtifactPath path = spec.artifacts().produces().get();
        ArtifactRef ref;
        try {
            ref = with.artifacts().collect(spec, path, checkout, folder);
        } catch (TaskRefusedException e) {
            throw refuse(e);
        }
        lifecycle.produced(ref);
        system(ArtifactCollector.stored(path, ref));
    }

    @Override
    public void stepFailed(int step) {
        if (step < 1 || step > spec.steps().size()) {
            throw new IllegalArgumentException("the task has no step " + step);
        }
        lifecycle.stepFailed(step);
    }

    @Override
    public void summarise(Path planJson) {
        PlanSummary summary;
        try {
            summary = with.summaries().fromFile(spec, planJson); // reads the file: not under the lock
        } catch (TaskRefusedException e) {
            throw refuse(e);
        }
        lifecycle.summarised(new SummarisedPlan(spec.artifacts().summary().orElseThrow(), summary));
        system("plan summary: " + summary.render().lines().findFirst().orElse(""));
    }

    @Override
    public void summaryFailed(String reason) {
        lifecycle.refuse(TaskFailure.PLAN_SUMMARY_UNAVAILABLE, "PLAN_SUMMARY_UNAVAILABLE: " + reason);
    }

    /** Remembers the refusal, so the task ends failed with it, and hands it back for the backend. */
    private TaskRefusedException refuse(TaskRefusedException refusal) {
        lifecycle.refuse(refusal.failure(), refusal.getMessage());
        return refusal;
    }

    @Override
    public void ended(Outcome outcome, int exitCode, String reason) {
        boolean remote = !with.backend().collectsFiles();
        if (outcome == Outcome.SUCCEEDED && remote && spec.artifacts().produces().isPresent() && !lifecycle.isFinal()) {
            inspectUploaded(spec.artifacts().produces().get()); // reads the store: not under the lock
            if (spec.artifacts().summary().isPresent()) {
                summariseUploaded();
            }
        } else if (remote && spec.artifacts().summary().isPresent() && !lifecycle.isFinal()) {
            with.summaries().discardUpload(spec); // a task stopped midway may have uploaded it
        }
        end(outcome, exitCode, reason);
    }

    /** Reads what the task uploaded and digests it here; a missing or unreadable object refuses the task. */
    private void inspectUploaded(ArtifactPath path) {
        ArtifactRef ref;
        try {
            ref = with.artifacts().inspectUploaded(spec, path);
        } catch (TaskRefusedException e) {
            refuse(e);
            return;
        }
        lifecycle.produced(ref);
        system(ArtifactCollector.stored(path, ref));
    }

    /** Derives the summary from the plan JSON the task uploaded, and deletes that; a failure refuses the task. */
    private void summariseUploaded() {
        PlanSummary summary;
        try {
            summary = with.summaries().fromUpload(spec);
        } catch (TaskRefusedException e) {
            lifecycle.refuseUnlessRefused(e.failure(), e.getMessage()); // a missing artifact is the first cause
            return;
        }
        lifecycle.summarised(new SummarisedPlan(spec.artifacts().summary().orElseThrow(), summary));
        system("plan summary: " + summary.render().lines().findFirst().orElse(""));
    }

    private synchronized void end(Outcome outcome, int exitCode, String reason) {
        if (detached || lifecycle.isFinal()) {
            return;
        }
        output.finish();
        auditEnd(lifecycle.end(outcome, exitCode, reason));
        log.close();
        cleanUp();
    }

    /**
     * Records the end of the task on the audit record and stores that it did. The end is stored
     * first (so a watcher never sees an end the store lacks); should the executor die between the
     * two, another replica (or this one restarted) records it again under the same event id.
     */
    void auditEnd(Task ended) {
        if (with.store().keepsAudit()) {
            return; // stored with the end itself, in its transaction
        }
        if (ended.state().isFinal() && with.auditor().ended(spec, ended)) {
            try {
                with.store().markEndAudited(spec.runId());
            } catch (DomainException e) {
                // the end is audited again later under the same event id, and stored once
                logger.atWarn().addKeyValue("run_id", spec.runId().value()).log("task.end_audit_unmarked");
            }
        }
    }

    /** The executor following this task stopped while it ran on a backend whose tasks do not survive that. */
    synchronized void endAfterRestart(String reason) {
        auditEnd(lifecycle.fail(TaskFailure.EXECUTOR_RESTARTED, reason));
        log.close();
        cleanUp();
    }

    /** Launching the task failed unexpectedly: it ends FAILED (the failure is the caller's to report). */
    synchronized void failLaunch() {
        if (lifecycle.isFinal()) {
            return;
        }
        failBeforeStart(TaskFailure.NONE, "the executor could not launch the task (see the executor log)");
    }

    private synchronized void failBeforeStart(TaskFailure failure, String reason) {
        auditEnd(lifecycle.fail(failure, reason));
        log.close();
        cleanUp();
    }

    private void cleanUp() {
        opened.close();
        if (plan != null) {
            with.plans().discard(spec, plan);
        }
    }

    /** Stops listening: the task runs on (it survives restarts) and a new executor follows it. */
    synchronized void detach() {
        detached = true;
    }

    /**
     * Another replica follows the task now: stops listening and, for a task that does not outlive
     * its replica (a local process), stops it too, as that replica has ended it failed.
     */
    synchronized void abandon() {
        detached = true;
        if (!with.backend().survivesRestart() && handle != null) {
            handle.cancel("another executor replica follows the task now");
        }
    }
}
