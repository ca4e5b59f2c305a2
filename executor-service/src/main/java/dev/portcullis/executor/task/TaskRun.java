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

    /** One line of the command's output, without its terminator. */
    void line(TaskEvent.Stream stream, String text);

    /** A line written by Portcullis itself (checkout progress, provisioning). */
    void system(String text);

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
