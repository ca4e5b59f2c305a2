package dev.portcullis.executor.task;

import dev.portcullis.runtime.health.Readiness;
import java.util.Map;

/**
 * Where tasks run: local child processes or ECS Fargate tasks. Implementations are thread-safe
 * and report each task's progress to its {@link TaskRun}, one call at a time and in order.
 */
public interface TaskBackend extends AutoCloseable {

    /** Which backend this is; reported on every task it runs. */
    Kind kind();

    /**
     * Starts {@code spec}'s steps in the background, in order, with {@code environment} (the
     * command's env and the granted secrets) and returns at once; what happens is reported to
     * {@code run}, ending with exactly one {@link TaskRun#ended} call. Never throws for a failure of
     * the task itself.
     */
    Handle start(TaskSpec spec, Map<String, String> environment, TaskRun run);

    /**
     * Whether this backend checks the repository out on the executor's host and calls
     * {@link TaskRun#prepare} and {@link TaskRun#collect}, so artifacts move as files. When it does
     * not (ECS), the task moves them itself: the {@code environment} given to {@link #start} then
     * carries presigned URLs ({@code PORTCULLIS_ARTIFACT_PATH}, {@code PORTCULLIS_ARTIFACT_PUT_URL};
     * {@code PORTCULLIS_PLAN_PATH}, {@code PORTCULLIS_PLAN_SHA256}, {@code PORTCULLIS_PLAN_GET_URL};
     * for a plan summary {@code PORTCULLIS_PLAN_SUMMARY_TOOL}, {@code PORTCULLIS_PLAN_JSON_PUT_URL}),
     * the task runs its summary tool's {@code show -json} itself, and the service reads what the
     * task uploaded after it succeeded; {@link TaskRun#summarise} is never called.
     */
    default boolean collectsFiles() {
        return true;
    }

    /**
     * Whether a task this backend started keeps running when the executor stops, so that a new
     * executor can {@link #resume} it.
     */
    boolean survivesRestart();

    /**
     * Follows a task an earlier executor started for {@code spec.runId()}, without ever starting
     * it again: when the backend cannot find it, {@code run} hears {@link TaskRun#ended} with
     * {@link TaskRun.Outcome#LOST}. Log lines are reported from the task's first line.
     *
     * @throws UnsupportedOperationException when {@link #survivesRestart()} is false
     */
    Handle resume(TaskSpec spec, TaskRun run);

    /**
     * Whether the backend can start tasks now: its directory is writable (local), or its cloud API
     * answers for its cluster (ECS). Blocks for at most one cheap call; thread-safe. The problem
     * text names no secret.
     */
    Readiness readiness();

    /** Stops following tasks; tasks that survive restarts keep running. */
    @Override
    void close();

    /** A started task. */
    interface Handle {
        /** Stops the task; a task that has not started yet never starts. Idempotent; returns at once. */
        void cancel(String reason);
    }

    /** The backends. */
    enum Kind { LOCAL, ECS }
}
