package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.runtime.request.RunId;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/** A task as it is at one moment. Immutable; a change makes a new one. */
public final class Task {
    private final RunId runId;
    private final TaskBackend.Kind backend;
    private final TaskState state;
    private final String backendRef;
    private final int exitCode;
    private final boolean exited;
    private final String stopReason;
    private final TaskFailure failure;
    private final ArtifactRef artifact;
    private final SummarisedPlan planSummary; // null when none
    private final int failedStep; // 0 when no step failed
    private final Instant createdAt;
    private final Instant startedAt;
    private final Instant endedAt;

    private Task(RunId runId, TaskBackend.Kind backend, TaskState state, String backendRef, int exitCode, boolean exited,
            String stopReason, TaskFailure failure, ArtifactRef artifact, SummarisedPlan planSummary, int failedStep,
            Instant createdAt, Instant startedAt, Instant endedAt) {
        this.runId = requireNonNull(runId, "runId is null");
        this.backend = requireNonNull(backend, "backend is null");
        this.state = requireNonNull(state, "state is null");
        this.backendRef = requireNonNull(backendRef, "backendRef is null");
        this.exitCode = exitCode;
        this.exited = exited;
        this.stopReason = requireNonNull(stopReason, "stopReason is null");
        this.failure = requireNonNull(failure, "failure is null");
        this.artifact = artifact;
        this.planSummary = planSummary;
        if (failedStep < 0 || failedStep > TaskSpec.MAX_STEPS) {
            throw new IllegalArgumentException("a failed step is 1-16, or 0 for none");
        }
        this.failedStep = failedStep;
        this.createdAt = requireNonNull(createdAt, "createdAt is null");
        this.startedAt = startedAt;
        this.endedAt = endedAt;
    }

    /** A new task, waiting for a slot. */
    public static Task pending(RunId runId, TaskBackend.Kind backend, Instant now) {
        return new Task(runId, backend, TaskState.PENDING, "", 0, false, "", TaskFailure.NONE, null, null, 0, now, null, null);
    }

    /** A task as it was stored; {@link TaskCodec} is the only caller. */
    static Task restore(RunId runId, TaskBackend.Kind backend, TaskState state, String backendRef, OptionalInt exitCode,
            String stopReason, TaskFailure failure, Optional<ArtifactRef> artifact, Optional<SummarisedPlan> planSummary,
            OptionalInt failedStep, Instant createdAt, Optional<Instant> startedAt, Optional<Instant> endedAt) {
        return new Task(runId, backend, state, backendRef, exitCode.orElse(0), exitCode.isPresent(), stopReason, failure,
                artifact.orElse(null), planSummary.orElse(null), failedStep.orElse(0), createdAt, startedAt.orElse(null),
                endedAt.orElse(null));
    }

    /**
     * This task moved to {@code next}.
     *
     * @throws IllegalStateException when the state rules do not allow it
     */
    public Task moveTo(TaskState next, Instant now, String reason) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("a task cannot move from " + state + " to " + next);
        }
        return new Task(runId, backend, next, backendRef, exitCode, exited, reason, failure, artifact, planSummary, failedStep,
                createdAt, next == TaskState.RUNNING ? now : startedAt, next.isFinal() ? now : endedAt);
    }

    /** This task with the backend's reference (process id, task ARN). */
    public Task withBackendRef(String ref) {
        return new Task(runId, backend, state, ref, exitCode, exited, stopReason, failure, artifact, planSummary, failedStep,
                createdAt, startedAt, endedAt);
    }

    /** This task with the command's exit code. */
    public Task withExitCode(int code) {
        return new Task(runId, backend, state, backendRef, code, true, stopReason, failure, artifact, planSummary, failedStep,
                createdAt, startedAt, endedAt);
    }

    /** This task with the cause of its failure. */
    public Task withFailure(TaskFailure cause) {
        return new Task(runId, backend, state, backendRef, exitCode, exited, stopReason, cause, artifact, planSummary,
                failedStep, createdAt, startedAt, endedAt);
    }

    /** This task with the artifact it produced. */
    public Task withArtifact(ArtifactRef produced) {
        return new Task(runId, backend, state, backendRef, exitCode, exited, stopReason, failure,
                requireNonNull(produced, "produced is null"), planSummary, failedStep, createdAt, startedAt, endedAt);
    }

    /** This task with the summary of the plan it produced. */
    public Task withPlanSummary(SummarisedPlan summary) {
        return new Task(runId, backend, state, backendRef, exitCode, exited, stopReason, failure, artifact,
                requireNonNull(summary, "summary is null"), failedStep, createdAt, startedAt, endedAt);
    }

    /** This task with the 1-based position of the step that failed it. */
    public Task withFailedStep(int step) {
        if (step < 1) {
            throw new IllegalArgumentException("a failed step is 1-based");
        }
        return new Task(runId, backend, state, backendRef, exitCode, exited, stopReason, failure, artifact, planSummary, step,
                createdAt, startedAt, endedAt);
    }

    public RunId runId() {
        return runId;
    }

    public TaskBackend.Kind backend() {
        return backend;
    }

    public TaskState state() {
        return state;
    }

    public String backendRef() {
        return backendRef;
    }

    public OptionalInt exitCode() {
        return exited ? OptionalInt.of(exitCode) : OptionalInt.empty();
    }

    public String stopReason() {
        return stopReason;
    }

    /** Why the task failed, where a known cause applies; {@link TaskFailure#NONE} otherwise. */
    public TaskFailure failure() {
        return failure;
    }

    /** The artifact the task produced, once it succeeded. */
    public Optional<ArtifactRef> artifact() {
        return Optional.ofNullable(artifact);
    }

    /** What the plan the task produced would do, once the task succeeded with a plan summary tool. */
    public Optional<SummarisedPlan> planSummary() {
        return Optional.ofNullable(planSummary);
    }

    /** The 1-based position of the step whose failure ended the task, when one did. */
    public OptionalInt failedStep() {
        return failedStep == 0 ? OptionalInt.empty() : OptionalInt.of(failedStep);
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Optional<Instant> startedAt() {
        return Optional.ofNullable(startedAt);
    }

    public Optional<Instant> endedAt() {
        return Optional.ofNullable(endedAt);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Task that && runId.equals(that.runId) && backend == that.backend && state == that.state
                && backendRef.equals(that.backendRef) && exitCode().equals(that.exitCode())
                && stopReason.equals(that.stopReason) && failure == that.failure && artifact().equals(that.artifact())
                && planSummary().equals(that.planSummary()) && failedStep == that.failedStep
                && createdAt.equals(that.createdAt) && startedAt().equals(that.startedAt()) && endedAt().equals(that.endedAt());
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(runId, state, backendRef, stopReason, createdAt);
    }
}
