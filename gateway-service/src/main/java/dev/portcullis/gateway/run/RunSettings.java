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
 */
public record RunSettings(Duration approvalTtl, Duration taskTimeout, int submitsPerMinute, int maxActiveRuns, Duration lease,
        Duration pollInterval) {
    public RunSettings {
        requireNonNull(approvalTtl, "approvalTtl is null");
        requireNonNull(taskTimeout, "taskTimeout is null");
        requireNonNull(lease, "lease is null");
        requireNonNull(pollInterval, "pollInterval is null");
    }
}
