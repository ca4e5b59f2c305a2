package dev.portcullis.executor.backend.local;

/** What a local task run reports while it runs. Called from the run's own threads. */
public interface LocalRun {
    /** The checkout is ready and the command is starting. */
    void started(long pid);

    /** One line of output, without its terminator. */
    void line(boolean stderr, String text);

    /** A line written by Portcullis itself (checkout progress, refusals). */
    void system(String text);

    /** The run ended. {@code exitCode} is -1 when the command never ran or was killed. */
    void ended(Outcome outcome, int exitCode, String reason);

    /** How a run ended. */
    enum Outcome { SUCCEEDED, FAILED, CANCELLED, TIMED_OUT }
}
