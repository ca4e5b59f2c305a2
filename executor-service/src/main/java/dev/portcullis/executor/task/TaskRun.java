package dev.portcullis.executor.task;

import java.nio.file.Path;

/**
 * What a backend reports about one task, from its own threads, one call at a time. Text is
 * unredacted here: the task service redacts it before anyone can read it.
 */
public interface TaskRun {
    /** The backend accepted the task and named it ({@code pid:N}, a task ARN); it is starting. */
    void launched(String backendRef);

    /** The command is running. */
    void running();

    /**
     * The backend started the command it names {@code backendRef} ({@code pid:N}) and it is
     * running: {@link #launched} and {@link #running} at once, for a backend that learns both in
     * the same moment, so the task stores one state change instead of two.
     */
    default void running(String backendRef) {
        launched(backendRef);
        running();
    }

    /** One line of the command's output, without its terminator. */
    void line(TaskEvent.Stream stream, String text);

    /** A line written by Portcullis itself (checkout progress, provisioning). */
    void system(String text);

    /**
     * A line written by Portcullis itself about the command the backend starts next (which step
     * it is): the backend reports that command {@link #running(String) running}, or the task
     * {@link #ended}, right after it. The task may store the line with that report, in one write.
     */
    default void systemBeforeStart(String text) {
        system(text);
    }

    /**
     * The checkout is ready and {@code folder} (inside {@code checkout}) is where the command will
     * run; inputs such as the plan artifact are placed now. Called only by backends that check the
     * repository out themselves.
     *
     * @throws TaskRefusedException when the task must not run; the backend ends it FAILED with its message
     */
    void prepare(Path checkout, Path folder);

    /**
     * The command exited 0 in {@code folder}; outputs such as the produced artifact are collected
     * now, before the folder is removed.
     *
     * @throws TaskRefusedException when the task must fail after all; the backend ends it FAILED with its message
     */
    void collect(Path checkout, Path folder);

    /**
     * Step {@code step} (1-based) of the task's steps exited with a code that is not its success;
     * the backend runs no later step and ends the task FAILED next. Backends that cannot tell which
     * step failed (ECS: the container's exit code is all it reports) never call this.
     */
    void stepFailed(int step);

    /**
     * Every step succeeded and the artifact was collected, and the task's plan summary tool wrote
     * the plan's JSON to {@code planJson}: a file of the task's own work area, outside the
     * checkout. The summary is derived now and the file deleted. The JSON holds the plan's values:
     * nothing of it reaches the log. Called only by backends that {@link #collect} files.
     *
     * @throws TaskRefusedException PLAN_SUMMARY_UNAVAILABLE when the summary cannot be derived; the
     *     backend ends the task FAILED with its message
     */
    void summarise(Path planJson);

    /**
     * The plan summary tool could not write the plan's JSON ({@code reason}, safe to show): the
     * backend ends the task FAILED next, and it fails with PLAN_SUMMARY_UNAVAILABLE.
     */
    void summaryFailed(String reason);

    /**
     * The task ended; nothing follows. {@code exitCode} is -1 when the command never ran or was killed.
     * {@code reason} is safe to show a caller.
     */
    void ended(Outcome outcome, int exitCode, String reason);

    /** How a task ended. */
    enum Outcome {
        SUCCEEDED, FAILED, CANCELLED, TIMED_OUT,
        /** After a restart the backend could not find the task again; it was not started again. */
        LOST
    }
}
