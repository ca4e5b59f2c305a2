package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * This executor replica's place among the replicas sharing a {@link TaskStore}.
 *
 * @param store where every replica keeps its tasks
 * @param id this replica's name in the store's leases: unique among the live replicas (1-64 characters)
 * @param lease how long a replica's claim on a task lasts unrenewed: a dead replica's tasks are
 *     taken over this long after its last renewal; renewed every quarter of it (at most every second)
 * @param pollInterval how often a watcher of a task another replica follows reads the store for
 *     new events (watchers of a task this replica follows are woken by each event instead)
 * @param exclusive the store is this process's alone (embedded H2): at start every unfinished task
 *     is taken over at once, without waiting for leases to run out
 */
public record TaskReplica(TaskStore store, String id, Duration lease, Duration pollInterval, boolean exclusive) {
    public TaskReplica {
        requireNonNull(store, "store is null");
        requireNonNull(id, "id is null");
        if (id.isEmpty() || id.length() > 64) {
            throw new IllegalArgumentException("a replica id is 1-64 characters");
        }
        requireNonNull(lease, "lease is null");
        requireNonNull(pollInterval, "pollInterval is null");
        if (lease.compareTo(Duration.ofSeconds(1)) < 0 || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("a lease is at least 1s and a poll interval positive");
        }
    }

    /** How often leases are renewed and unattended tasks looked for. */
    Duration renewEvery() {
        Duration quarter = lease.dividedBy(4);
        return quarter.compareTo(Duration.ofSeconds(1)) < 0 ? quarter : Duration.ofSeconds(1);
    }
}
