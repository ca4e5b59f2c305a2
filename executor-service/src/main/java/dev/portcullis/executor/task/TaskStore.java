package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.request.RunId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the executor keeps its tasks, shared by every replica: one task per run id (the store's
 * unique constraint decides, not a replica's memory), its header (spec and grants: references,
 * never secret values), its current state, its events (state changes and redacted lines, at dense
 * offsets from 0, as {@code WatchTask} resumes from them) and its lease: which replica follows it,
 * until when. Implementations are thread-safe and block on the database; a database that cannot
 * be reached is {@code DomainException} UNAVAILABLE ({@code STORE_UNAVAILABLE}).
 */
public interface TaskStore {

    /**
     * Stores a new task with its first event (offset 0), followed by {@code holder} until
     * {@code leaseUntil}, in one transaction.
     *
     * @return false, storing nothing, when the run id has a task already (whoever stored it)
     */
    boolean create(Header header, TaskEvent.StateChanged first, String holder, Instant leaseUntil);

    /** The task of {@code runId} as stored now; empty when there is none. */
    Optional<Stored> find(RunId runId);

    /**
     * Appends {@code event} at its offset, only while {@code holder} follows the task. A state
     * change also becomes the task's current state; a final one ends the lease in the same
     * transaction.
     *
     * @throws LeaseLostException when another replica follows the task now, or stored that offset already
     */
    default void append(RunId runId, TaskEvent event, String holder) {
        append(runId, event, holder, List.of());
    }

    /**
     * As {@link #append(RunId, TaskEvent, String)}, storing {@code audit} — the audit events that
     * record the change — in the service's audit outbox in the same transaction: they are kept
     * exactly when the change is (and a final state is then on the audit record at once). Only for
     * a store that {@link #keepsAudit keeps audit events}; for another, {@code audit} must be empty.
     */
    default void append(RunId runId, TaskEvent event, String holder, List<AuditEvent> audit) {
        append(runId, List.of(event), holder, audit);
    }

    /**
     * As {@link #append(RunId, TaskEvent, String, List)} for each of {@code events} (at consecutive
     * offsets, in offset order), in one transaction: all are stored or none. The last state change
     * among them becomes the task's current state; a final one must be the last event.
     *
     * @throws LeaseLostException when another replica follows the task now, or stored one of those offsets already
     * @throws IllegalArgumentException when {@code events} is empty, a final state is not the last event, or
     *     {@code audit} is not empty and this store keeps no audit events
     */
    void append(RunId runId, List<TaskEvent> events, String holder, List<AuditEvent> audit);

    /** Whether this store keeps audit events in the audit outbox with the changes they record. */
    boolean keepsAudit();

    /** Up to {@code max} events from {@code fromOffset}, in offset order. */
    List<TaskEvent> events(RunId runId, long fromOffset, int max);

    /** The number of events stored for the task (the offset of the next one). */
    long eventCount(RunId runId);

    /** The number of stdout lines stored for the task: where a follower that takes it over continues its log. */
    long stdoutLines(RunId runId);

    /**
     * Unfinished tasks nobody follows: never claimed, released, or with a lease that ran out
     * before {@code now}. Oldest first.
     */
    List<RunId> unattended(Instant now, int max);

    /**
     * Makes {@code holder} the task's follower until {@code until}, when it is unfinished and
     * nobody else follows it ({@link #unattended}'s rule).
     *
     * @return whether {@code holder} follows it now
     */
    boolean claim(RunId runId, String holder, Instant now, Instant until);

    /**
     * Extends every lease {@code holder} has to {@code until}.
     *
     * @return the tasks {@code holder} follows, with the cancel requested of each ("" for none)
     */
    List<Held> renew(String holder, Instant until);

    /** Gives up every lease {@code holder} has, so another replica takes its tasks over at once. */
    void release(String holder);

    /**
     * Asks the task's follower to stop it; the follower reads it when it {@link #renew renews}.
     * A finished task, or one already asked, stays as it is.
     */
    void requestCancel(RunId runId, String reason);

    /** Notes that the task's end is on the audit record. */
    void markEndAudited(RunId runId);

    /** Finished tasks whose end is not on the audit record and that ended before {@code endedBefore}. */
    List<RunId> endsNotAudited(Instant endedBefore, int max);

    /** What a task is: its spec, its grants (references only) and the backend it runs on. */
    record Header(TaskSpec spec, List<SecretGrant> grants, TaskBackend.Kind backend) {
        public Header {
            requireNonNull(spec, "spec is null");
            grants = List.copyOf(grants);
            requireNonNull(backend, "backend is null");
        }
    }

    /** A stored task: its header, its current state, and whether its end is on the audit record. */
    record Stored(Header header, Task task, boolean endAudited) {
        public Stored {
            requireNonNull(header, "header is null");
            requireNonNull(task, "task is null");
        }
    }

    /** A task a replica follows, and the cancel asked for it ("" for none). */
    record Held(RunId runId, String cancelRequest) {
        public Held {
            requireNonNull(runId, "runId is null");
            requireNonNull(cancelRequest, "cancelRequest is null");
        }
    }

    /** Another replica follows the task now: this one must stop writing for it. */
    final class LeaseLostException extends RuntimeException {
        public LeaseLostException(RunId runId) {
            super("another executor replica follows the task of run " + runId.value() + " now");
        }
    }
}
