package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.RunId;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's tasks by run id, one per run id ever, kept in the shared {@link TaskStore}: the
 * store's unique run id decides which of two concurrent starts creates the task, here or on
 * another replica; starting it again with the same content returns it, with other content is a
 * conflict. Each unfinished task is followed by the one replica holding its lease: this registry
 * renews its own leases, takes over tasks whose lease ran out (an ECS task is found by its run id
 * and followed on, a local task of a dead replica ends failed) and lets go of a task another
 * replica took. Thread-safe.
 */
final class TaskRegistry {
    private static final Logger log = LoggerFactory.getLogger(TaskRegistry.class);
    /** An embedded store's leases are compared with this instead of now: they are all this process's. */
    private static final Instant ANY_LEASE = Instant.parse("9999-01-01T00:00:00Z");
    private static final int BATCH = 100;
    static final String REPLICA_LOST = "the executor replica following the task stopped; a local task ends with it";

    private final TaskReplica replica;
    private final TaskStore store;
    private final int memoryLines;
    private final TaskExecution.Collaborators with;
    /** The tasks this replica follows, and those it followed to their end lately (their newest events in memory). */
    private final Map<RunId, TaskExecution> followed = new ConcurrentHashMap<>();
    /** Notified when this replica starts following a task: a watcher polling the store switches to its log. */
    private final Object takenOver = new Object();
    private final ScheduledExecutorService leases = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "task-leases");
        thread.setDaemon(true);
        return thread;
    });

    /** @param memoryLines events of each task kept in memory (at least 1); older ones are read from the store */
    TaskRegistry(TaskReplica replica, int memoryLines, TaskExecution.Collaborators with) {
        this.replica = requireNonNull(replica, "replica is null");
        this.store = replica.store();
        if (memoryLines < 1) {
            throw new IllegalArgumentException("memoryLines must be at least 1");
        }
        this.memoryLines = memoryLines;
        this.with = requireNonNull(with, "with is null");
    }

    /**
     * Starts the task of {@code spec.runId()}, or returns the one started before with the same
     * content as it is — never a second one, whichever replica started it. Blocks while a new
     * task's plan is fetched and its secrets are read.
     *
     * @throws DomainException CONFLICT (TASK_CONFLICT) when that run id was started with other content
     * @throws dev.portcullis.runtime.error.InvalidRequestException when the plan artifact is not one of this executor's store
     */
    Task start(TaskSpec spec, List<SecretGrant> grants) {
        List<SecretGrant> granted = List.copyOf(grants);
        TaskExecution existing = followed.get(spec.runId());
        if (existing != null) {
            return existing.sameOrConflict(spec, granted);
        }
        Optional<TaskStore.Stored> stored = store.find(spec.runId());
        if (stored.isPresent()) {
            return sameOrConflict(stored.get(), spec, granted);
        }
        with.plans().requireKnown(spec);
        TaskBackend.Kind backend = with.backend().kind();
        Instant now = with.clock().instant();
        Task pending = Task.pending(spec.runId(), backend, now);
        TaskEvent.StateChanged first = new TaskEvent.StateChanged(0, now, pending);
        if (!store.create(new TaskStore.Header(spec, granted, backend), first, replica.id(), now.plus(replica.lease()))) {
            // another start of this run id, here or on another replica, stored its task first
            return sameOrConflict(store.find(spec.runId()).orElseThrow(() -> notFound(spec.runId())), spec, granted);
        }
        TaskLog taskLog = new TaskLog(store, spec.runId(), replica.id(), memoryLines, 0);
        taskLog.taken(first);
        TaskExecution fresh = new TaskExecution(spec, granted, taskLog, pending, with);
        follow(spec.runId(), fresh);
        try {
            fresh.launch();
        } catch (RuntimeException failure) {
            // the task is stored: left pending, every retried StartTask would find it and the run wait for ever
            fresh.failLaunch();
            throw failure;
        }
        return fresh.task();
    }

    private static Task sameOrConflict(TaskStore.Stored stored, TaskSpec spec, List<SecretGrant> grants) {
        TaskExecution.requireSame(stored.header().spec(), stored.header().grants(), spec, grants);
        return stored.task();
    }

    /** The execution of a task this replica follows and has not lost to another replica. */
    Optional<TaskExecution> followed(RunId runId) {
        TaskExecution execution = followed.get(runId);
        return execution == null || execution.log().lost() ? Optional.empty() : Optional.of(execution);
    }

    /** @throws DomainException NOT_FOUND (TASK_NOT_FOUND) */
    TaskStore.Stored stored(RunId runId) {
        return store.find(runId).orElseThrow(() -> notFound(runId));
    }

    private static DomainException notFound(RunId runId) {
        return new DomainException(DomainException.Kind.NOT_FOUND, "TASK_NOT_FOUND", "no task for this run",
                Map.of("run_id", runId.value()));
    }

    /** The tasks this replica follows (and lately followed), as a live view. */
    Collection<TaskExecution> all() {
        return followed.values();
    }

    /** The tasks this replica follows, as they are now. */
    List<Task> current() {
        return followed.values().stream().map(TaskExecution::task).toList();
    }

    /**
     * Waits up to {@code timeout} for this replica to start following a task (or returns at once
     * when interrupted): a watcher reading the store for another replica's task waits here.
     */
    void pause(Duration timeout) throws InterruptedException {
        synchronized (takenOver) {
            takenOver.wait(Math.max(1, timeout.toMillis()));
        }
    }

    /**
     * Takes over what nobody follows — with an {@linkplain TaskReplica#exclusive exclusive} store,
     * every unfinished task at once — and records the ends not on the audit record; then renews
     * leases and looks for unattended tasks in the background until {@link #stop}.
     */
    void recover() {
        Instant now = with.clock().instant();
        Instant cutoff = replica.exclusive() ? ANY_LEASE : now;
        for (RunId runId : store.unattended(cutoff, Integer.MAX_VALUE)) {
            if (store.claim(runId, replica.id(), cutoff, now.plus(replica.lease()))) {
                takeOver(runId, replica.exclusive() ? TaskService.RESTARTED : REPLICA_LOST,
                        "the executor restarted; following the task again");
            }
        }
        auditEnds(cutoff);
        long every = replica.renewEvery().toMillis();
        leases.scheduleWithFixedDelay(this::tend, every, every, TimeUnit.MILLISECONDS);
    }

    /** One round of lease work; a failure (the store down) is logged and the next round tries again. */
    private void tend() {
        try {
            Instant now = with.clock().instant();
            // only tasks followed before the renewal can be missing from it: one started meanwhile is not
            Set<RunId> followedBefore = Set.copyOf(followed.keySet());
            List<TaskStore.Held> held = store.renew(replica.id(), now.plus(replica.lease()));
            letGoOfLost(followedBefore, held.stream().map(TaskStore.Held::runId).collect(Collectors.toSet()));
            for (TaskStore.Held task : held) {
                if (!task.cancelRequest().isEmpty()) {
                    followed(task.runId()).ifPresent(execution -> execution.cancel(task.cancelRequest()));
                }
            }
            for (RunId runId : store.unattended(now, BATCH)) {
                if (store.claim(runId, replica.id(), now, now.plus(replica.lease()))) {
                    takeOver(runId, REPLICA_LOST, "another executor replica follows the task now");
                }
            }
            // a replica that died between storing a task's end and auditing it leaves it to the others
            auditEnds(now.minus(replica.lease()));
            forgetEnded(now.minus(replica.lease()));
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("task.lease_round_failed");
        }
    }

    /** Tasks this replica followed that another replica follows now: they are let go (a local one's process is stopped). */
    private void letGoOfLost(Set<RunId> followedBefore, Set<RunId> held) {
        for (RunId runId : followedBefore) {
            TaskExecution execution = followed.get(runId);
            if (execution != null && !held.contains(runId) && !execution.task().state().isFinal()) {
                log.atWarn().addKeyValue("run_id", runId.value()).log("task.lease_lost");
                execution.log().lose();
                execution.abandon();
                followed.remove(runId, execution);
            }
        }
    }

    /** Ended tasks leave memory a lease after their end; their events are read from the store then. */
    private void forgetEnded(Instant endedBefore) {
        followed.entrySet().removeIf(entry -> entry.getValue().task().endedAt().filter(at -> at.isBefore(endedBefore))
                .isPresent());
    }

    private void auditEnds(Instant endedBefore) {
        for (RunId runId : store.endsNotAudited(endedBefore, BATCH)) {
            TaskStore.Stored stored = stored(runId);
            if (with.auditor().ended(stored.header().spec(), stored.task())) {
                store.markEndAudited(runId);
            }
        }
    }

    /**
     * Follows a task this replica just claimed: an ECS task on from the stored log, a task of a
     * backend whose tasks do not outlive their replica ends FAILED with {@code lostReason}.
     */
    private void takeOver(RunId runId, String lostReason, String resumeMessage) {
        TaskStore.Stored stored = stored(runId);
        if (stored.task().state().isFinal()) {
            return;
        }
        TaskStore.Header header = stored.header();
        TaskLog taskLog = new TaskLog(store, runId, replica.id(), memoryLines, store.eventCount(runId));
        TaskExecution execution = new TaskExecution(header.spec(), header.grants(), taskLog, stored.task(), with);
        follow(runId, execution);
        TaskBackend backend = with.backend();
        log.atInfo().addKeyValue("run_id", runId.value()).log("task.taken_over");
        if (backend.survivesRestart() && header.backend() == backend.kind()) {
            execution.resume(store.stdoutLines(runId), resumeMessage);
        } else {
            execution.endAfterRestart(header.backend() == backend.kind() ? lostReason
                    : "the executor following the task stopped and the one taking it over has another backend");
        }
    }

    private void follow(RunId runId, TaskExecution execution) {
        TaskExecution previous = followed.put(runId, execution);
        if (previous != null) {
            previous.log().lose();
            previous.abandon();
        }
        synchronized (takenOver) {
            takenOver.notifyAll();
        }
    }

    /** Stops renewing leases and looking for unattended tasks; waits for a round under way. */
    void stop() {
        leases.shutdownNow();
        try {
            if (!leases.awaitTermination(10, TimeUnit.SECONDS)) {
                log.atWarn().log("task.lease_stop_timed_out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Gives up this replica's leases, so the others take its tasks over at once; a store that is down is logged. */
    void release() {
        try {
            store.release(replica.id());
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("task.lease_release_failed");
        }
    }
}
