package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.task.TaskRun.Outcome;
import dev.portcullis.runtime.audit.AuditEvent;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The state machine of one task: its current {@link Task}, every change of it stored through its
 * {@link TaskLog}, and what decides its final state — how the backend says it
 * ended, whether the executor refused it, whether it was asked to stop and whether the artifact
 * it should produce was stored. Which moves are legal at all is {@link TaskState#canMoveTo}'s
 * decision. Thread-safe.
 */
final class TaskLifecycle {
    private final TaskSpec spec;
    private final TaskLog log;
    private final TaskAuditor auditor;
    private final Clock clock;
    /** The store keeps the audit events of a change with the change ({@link TaskStore#keepsAudit}). */
    private final boolean keepsAudit;
    // written under this, read without it
    private volatile Task task;
    // guarded by this
    private Refusal refusal = Refusal.NONE;
    private ArtifactRef produced; // null until the task's artifact is stored
    private SummarisedPlan summary; // null until the produced plan is summarised
    private int failedStep; // 0 until a step fails
    private boolean cancelRequested;
    private String cancelReason = "";

    /** @param task as the task is now: as stored last */
    TaskLifecycle(TaskSpec spec, TaskLog log, Task task, TaskAuditor auditor, Clock clock, boolean keepsAudit) {
        this.keepsAudit = keepsAudit;
        this.spec = requireNonNull(spec, "spec is null");
        this.log = requireNonNull(log, "log is null");
        this.task = requireNonNull(task, "task is null");
        this.auditor = requireNonNull(auditor, "auditor is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Why the executor wants the task failed, whatever the backend reports; its message is safe to show. */
    record Refusal(TaskFailure failure, String message) {
        static final Refusal NONE = new Refusal(TaskFailure.NONE, "");

        Refusal {
            requireNonNull(failure, "failure is null");
            requireNonNull(message, "message is null");
        }
    }

    Task current() {
        return task;
    }

    boolean isFinal() {
        return task.state().isFinal();
    }

    /**
     * A pending task starts; a task past that stays as it is. The move is stored with the next
     * event of the task's log, in its transaction ({@link TaskLog#defer}): the caller appends one at once.
     */
    synchronized void starting() {
        if (task.state() == TaskState.PENDING) {
            Task next = task.moveTo(TaskState.STARTING, clock.instant(), "");
            task = next;
            log.defer(offset -> new TaskEvent.StateChanged(offset, clock.instant(), next));
        }
    }

    /** The backend named the task; one event says that it is starting and under which name. */
    synchronized void launched(String backendRef) {
        Task next = task.state() == TaskState.PENDING ? task.moveTo(TaskState.STARTING, clock.instant(), "") : task;
        if (next != task || !next.backendRef().equals(backendRef)) {
            publish(next.withBackendRef(backendRef));
        }
    }

    /** @return true when the task is running from now on, false when it was already */
    synchronized boolean running() {
        if (task.state() == TaskState.RUNNING) {
            return false;
        }
        starting();
        Task next = task.moveTo(TaskState.RUNNING, clock.instant(), "");
        publish(next, List.of(auditor.startedEvent(spec, next.backend())));
        return true;
    }

    /**
     * The backend started the command named {@code backendRef}: one event says that the task runs
     * and under which name (a later step's command only renames it).
     *
     * @return true when the task is running from now on, false when it was already
     */
    synchronized boolean running(String backendRef) {
        if (task.state() == TaskState.RUNNING) {
            if (!task.backendRef().equals(backendRef)) {
                publish(task.withBackendRef(backendRef));
            }
            return false;
        }
        starting();
        Task next = task.moveTo(TaskState.RUNNING, clock.instant(), "").withBackendRef(backendRef);
        publish(next, List.of(auditor.startedEvent(spec, next.backend())));
        return true;
    }

    /** @return false when the task has ended already and there is nothing to stop */
    synchronized boolean requestCancel(String reason) {
        if (isFinal()) {
            return false;
        }
        cancelRequested = true;
        cancelReason = reason;
        return true;
    }

    /** The reason the task was asked to stop with, once it was. */
    synchronized Optional<String> cancelRequest() {
        return cancelRequested ? Optional.of(cancelReason) : Optional.empty();
    }

    /** The task must end failed with {@code failure}, whatever the backend reports (unless it timed out). */
    synchronized void refuse(TaskFailure failure, String message) {
        refusal = new Refusal(failure, message);
    }

    /** As {@link #refuse}, unless the task was refused already: the first cause stays. */
    synchronized void refuseUnlessRefused(TaskFailure failure, String message) {
        if (refusal.failure() == TaskFailure.NONE) {
            refuse(failure, message);
        }
    }

    /** The artifact the task produced is stored; without it, a task that should produce one cannot succeed. */
    synchronized void produced(ArtifactRef ref) {
        produced = requireNonNull(ref, "ref is null");
    }

    /** The produced plan's summary is derived; without it, a task that should have one cannot succeed. */
    synchronized void summarised(SummarisedPlan planSummary) {
        summary = requireNonNull(planSummary, "planSummary is null");
    }

    /** Step {@code step} (1-based) failed; a task that ends FAILED names it. */
    synchronized void stepFailed(int step) {
        failedStep = step;
    }

    /**
     * Ends the task as the backend reported ({@code exitCode} -1 when the command never ran or was
     * killed), adjusted by what the executor knows: a refusal ends it FAILED unless it timed out, a
     * task whose artifact is missing cannot have succeeded, a task lost after a restart failed.
     *
     * @return the ended task, measured and stored
     */
    synchronized Task end(Outcome outcome, int exitCode, String reason) {
        TaskState state = reported(outcome);
        TaskFailure failure = outcome == Outcome.LOST ? TaskFailure.TASK_LOST : refusal.failure();
        String why = state == TaskState.CANCELLED && !cancelReason.isEmpty() ? "cancelled: " + cancelReason : reason;
        if (state == TaskState.SUCCEEDED && spec.artifacts().produces().isPresent() && produced == null) {
            // a backend that cannot collect artifacts never reports one; the plan must not look stored
            state = TaskState.FAILED;
            failure = TaskFailure.ARTIFACT_MISSING;
            why = "the artifact '" + spec.artifacts().produces().get() + "' was not collected";
        }
        if (state == TaskState.SUCCEEDED && spec.artifacts().summary().isPresent() && summary == null
                && failure == TaskFailure.NONE) {
            // fail closed: a plan that should have a summary is never reported without one
            state = TaskState.FAILED;
            failure = TaskFailure.PLAN_SUMMARY_UNAVAILABLE;
            why = "PLAN_SUMMARY_UNAVAILABLE: the plan summary was not derived";
        }
        if (failure != TaskFailure.NONE && state != TaskState.FAILED && outcome != Outcome.TIMED_OUT) {
            state = TaskState.FAILED; // a refusal ends the task failed, also when the backend stopped it for that
            why = refusal.message();
        }
        Task ended = (exitCode >= 0 ? task.withExitCode(exitCode) : task).withFailure(failure);
        if (state == TaskState.SUCCEEDED && produced != null) {
            ended = ended.withArtifact(produced);
        }
        if (state == TaskState.SUCCEEDED && summary != null) {
            ended = ended.withPlanSummary(summary);
        }
        if (state == TaskState.FAILED && failure == TaskFailure.NONE && failedStep > 0) {
            ended = ended.withFailedStep(failedStep);
        }
        return publishEnd(ended.moveTo(state, clock.instant(), why));
    }

    /** The final state the backend's {@code outcome} stands for, before the executor's own knowledge adjusts it. */
    static TaskState reported(Outcome outcome) {
        return switch (outcome) {
            case SUCCEEDED -> TaskState.SUCCEEDED;
            case FAILED, LOST -> TaskState.FAILED;
            case CANCELLED -> TaskState.CANCELLED;
            case TIMED_OUT -> TaskState.TIMED_OUT;
        };
    }

    /** Ends the task FAILED with {@code failure} before its command could start (or be followed again). */
    synchronized Task fail(TaskFailure failure, String reason) {
        return publishEnd(task.withFailure(failure).moveTo(TaskState.FAILED, clock.instant(), reason));
    }

    private Task publishEnd(Task ended) {
        auditor.measure(spec, ended); // before it is published: whoever sees the end sees it measured
        publish(ended, List.of(auditor.endEvent(spec, ended)));
        return ended;
    }

    private void publish(Task next) {
        publish(next, List.of());
    }

    /**
     * Makes {@code next} the task's state and stores it; with a store that keeps audit events,
     * {@code audit} is stored in the same transaction (otherwise the caller records it: see
     * {@link TaskExecution#running} and {@link TaskExecution#auditEnd}).
     */
    private void publish(Task next, List<AuditEvent> audit) {
        task = next;
        log.append(offset -> new TaskEvent.StateChanged(offset, clock.instant(), next), keepsAudit ? audit : List.of());
    }
}
