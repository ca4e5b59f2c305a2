package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

/** A task must not run, or must fail after all, for a reason its caller may see. */
public final class TaskRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final TaskFailure failure;

    /** @param message safe to show a caller: no secret, no local path */
    public TaskRefusedException(TaskFailure failure, String message) {
        super(requireNonNull(message, "message is null"));
        this.failure = requireNonNull(failure, "failure is null");
    }

    public TaskFailure failure() {
        return failure;
    }
}
