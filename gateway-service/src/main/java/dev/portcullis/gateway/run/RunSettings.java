package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How runs are handled.
 *
 * @param approvalTtl how long a run waits for approvals before it expires
 * @param taskTimeout how long a task may run before the executor stops it
 * @param submitsPerMinute new runs one identity may submit per minute (burst: the same number)
 * @param maxActiveRuns unfinished runs one identity may have at once
 * @param lease how long a replica's claim on driving a run lasts without renewal
 * @param pollInterval how often the driver looks for work it was not told about (other replicas)
 * @param taskFollowers how many running tasks this replica copies the logs of at once (one thread each)
 * @param maxRunsPerToken how many runs one OIDC identity token may submit, on all replicas together
 */
public record RunSettings(Duration approvalTtl, Duration taskTimeout, int submitsPerMinute, int maxActiveRuns, Duration lease,
        Duration pollInterval, int taskFollowers, int maxRunsPerToken) {
    /** The default of {@link #taskFollowers}, as configuration has it. */
    public static final int DEFAULT_TASK_FOLLOWERS = 64;
    /** The default of {@link #maxRunsPerToken}, as configuration has it. */
    public static final int DEFAULT_MAX_RUNS_PER_TOKEN = 4;

    public RunSettings {
        requireNonNull(approvalTtl, "approvalTtl is null");
        requireNonNull(taskTimeout, "taskTimeout is null");
        requireNonNull(lease, "lease is null");
        requireNonNull(pollInterval, "pollInterval is null");
        if (taskFollowers < 1) {
            throw new IllegalArgumentException("taskFollowers must be at least 1");
        }
        if (maxRunsPerToken < 1) {
            throw new IllegalArgumentException("maxRunsPerToken must be at least 1");
        }
    }

    /** Settings with the default number of runs per identity token. */
    public RunSettings(Duration approvalTtl, Duration taskTimeout, int submitsPerMinute, int maxActiveRuns, Duration lease,
            Duration pollInterval, int taskFollowers) {
        this(approvalTtl, taskTimeout, submitsPerMinute, maxActiveRuns, lease, pollInterval, taskFollowers,
                DEFAULT_MAX_RUNS_PER_TOKEN);
    }

    /** Settings with the default number of task followers. */
    public RunSettings(Duration approvalTtl, Duration taskTimeout, int submitsPerMinute, int maxActiveRuns, Duration lease,
            Duration pollInterval) {
        this(approvalTtl, taskTimeout, submitsPerMinute, maxActiveRuns, lease, pollInterval, DEFAULT_TASK_FOLLOWERS);
    }
}
