package dev.portcullis.executor.backend.ecs;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Observed state of a task.
 *
 * @param taskArn the task's ARN
 * @param lastStatus ECS's last status: {@code PROVISIONING}, {@code PENDING}, {@code ACTIVATING},
 *     {@code RUNNING}, {@code DEACTIVATING}, {@code STOPPING}, {@code DEPROVISIONING}, {@code STOPPED}
 * @param exitCode the exit code of the configured container, once it has exited; absent when it
 *     never ran (an image that could not be pulled, for instance)
 * @param stopReason why the task stopped, as ECS tells it (for example {@code Essential container
 *     in task exited} or {@code CannotPullContainerError: …}); empty while it runs. Upstream text:
 *     for logs and operators, not for an API caller
 * @param logStream the task's CloudWatch Logs stream, {@code prefix/container/taskId}
 */
public record EcsTaskStatus(
        String taskArn, String lastStatus, Optional<Integer> exitCode, String stopReason, Optional<String> logStream) {

    /** The last status of a task that has ended for good. */
    public static final String STOPPED = "STOPPED";

    public EcsTaskStatus {
        requireNonNull(taskArn, "taskArn is null");
        requireNonNull(lastStatus, "lastStatus is null");
        requireNonNull(exitCode, "exitCode is null");
        requireNonNull(stopReason, "stopReason is null");
        requireNonNull(logStream, "logStream is null");
    }

    /** Whether the task has ended for good. */
    public boolean stopped() {
        return STOPPED.equals(lastStatus);
    }
}
