package dev.portcullis.executor.backend.ecs;

/**
 * Receives what happens to one task. For one task, calls never overlap and arrive in order:
 * statuses as they change, log lines in the order of the log stream (the stream is read from its
 * first event, also after an executor restart), then {@link #onFinished} exactly once, carrying
 * the {@code STOPPED} status. Calls come from the runner's own threads and must not block for long; an
 * exception thrown here is logged and otherwise ignored.
 */
public interface EcsTaskListener {

    /**
     * The task's status changed; the first call reports the status found at launch or attach.
     * {@code STOPPED} is not reported here but by {@link #onFinished}, after the last log line.
     */
    void onStatus(EcsTaskStatus status);

    /** One line of the container's log, unredacted: redaction is the caller's job. */
    void onLogLine(String line);

    /**
     * The task has ended and its log has been read to the end; nothing follows.
     *
     * @param status the final status: {@code STOPPED} with exit code and reason, or the last one
     *     seen when the runner gave up following the task (then without exit code)
     * @param timedOut whether the runner stopped the task because its timeout passed
     */
    void onFinished(EcsTaskStatus status, boolean timedOut);
}
