package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.RunId;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/** A task as it is at one moment. Immutable; a change makes a new one. */
public final class Task {
    private final RunId runId;
    private final TaskState state;
    private final String backendRef;
    private final int exitCode;
    private final boolean exited;
    private final String stopReason;
    private final Instant createdAt;
    private final Instant startedAt;
    private final Instant endedAt;

    private Task(RunId runId, TaskState state, String backendRef, int exitCode, boolean exited, String stopReason,
            Instant createdAt, Instant startedAt, Instant endedAt) {
        this.runId = requireNonNull(runId, "runId is null");
        this.state = requireNonNull(state, "state is null");
        this.backendRef = requireNonNull(backendRef, "backendRef is null");
        this.exitCode = exitCode;
        this.exited = exited;
        this.stopReason = requireNonNull(stopReason, "stopReason is null");
        this.createdAt = requireNonNull(createdAt, "createdAt is null");
        this.startedAt = startedAt;
        this.endedAt = endedAt;
    }

    /** A new task, waiting for a slot. */
    public static Task pending(RunId runId, Instant now) {
        return new Task(runId, TaskState.PENDING, "", 0, false, "", now, null, null);
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
        return new Task(runId, next, backendRef, exitCode, exited, reason, createdAt,
                next == TaskState.RUNNING ? now : startedAt, next.isFinal() ? now : endedAt);
    }

    /** This task with the backend's reference (process id, task ARN). */
    public Task withBackendRef(String ref) {
        return new Task(runId, state, ref, exitCode, exited, stopReason, createdAt, startedAt, endedAt);
    }

    /** This task with the command's exit code. */
    public Task withExitCode(int code) {
        return new Task(runId, state, backendRef, code, true, stopReason, createdAt, startedAt, endedAt);
    }

    public RunId runId() {
        return runId;
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

    public Instant createdAt() {
        return createdAt;
    }

    public Optional<Instant> startedAt() {
        return Optional.ofNullable(startedAt);
    }

    public Optional<Instant> endedAt() {
        return Optional.ofNullable(endedAt);
    }
}
