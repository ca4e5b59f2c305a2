package dev.portcullis.gateway.drift;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.request.RunId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Port: the drift targets' schedule and results, shared by every gateway replica (PostgreSQL in
 * production). Claims are rows: a replica submits a due check only after {@link #claim} let it
 * have the target, so however many replicas look, one submits. Every method is one statement or
 * one transaction and blocks on the database; failures to reach it are {@code DomainException}
 * UNAVAILABLE ({@code STORE_UNAVAILABLE}). Implementations are thread-safe.
 */
public interface DriftStore {

    /** Every target stored, ordered by repo, folder and environment. */
    List<DriftRecord> all();

    /** The target {@code id}; empty when it is not stored. */
    Optional<DriftRecord> find(DriftTargetId id);

    /**
     * Stores a target first seen at {@code firstSeen}, state {@link DriftState#UNKNOWN}, due at
     * {@code firstDue}; a target already stored (another replica added it first) is left as it is.
     *
     * @return true when this call added it
     */
    boolean add(DriftTargetId id, Instant firstSeen, Instant firstDue);

    /** Forgets a target the catalog no longer declares, with its results; nothing when it is not stored. */
    void remove(DriftTargetId id);

    /**
     * Targets due at {@code now} that nobody holds: no check pending, {@code nextDue} not after
     * {@code now}, no claim or one that ran out. Soonest due first, at most {@code max}.
     */
    List<DriftRecord> due(Instant now, int max);

    /** How many targets have a check pending, on every replica together. */
    int pendingChecks();

    /**
     * Claims a due target for {@code claimant} until {@code until}, if it is still due and unclaimed
     * (or its claim ran out) at {@code now}: the database lets one claimant win.
     *
     * @return true when {@code claimant} holds the target
     */
    boolean claim(DriftTargetId id, String claimant, Instant now, Instant until);

    /**
     * Claims a target for a check asked for now, whenever it is due, if no check of it is pending
     * and nobody holds it (or its claim ran out) at {@code now}: the same claim as {@link #claim},
     * so a scheduled check and one asked for cannot both be submitted.
     *
     * @return true when {@code claimant} holds the target
     */
    boolean claimNow(DriftTargetId id, String claimant, Instant now, Instant until);

    /**
     * Records the check {@code claimant} submitted as {@code run}, started at {@code start}, and
     * when the next is due; the check is pending until {@link #recordResult}, and the claim ends.
     *
     * @return false when {@code claimant} no longer held the target (nothing is written)
     */
    boolean submitted(DriftTargetId id, String claimant, RunId run, Instant start, Instant nextDue);

    /**
     * Records a check {@code claimant} could not submit: the target is {@link DriftState#FAILING}
     * for {@code reason} (one failure more, recorded at {@code start}, with no result run), its
     * check counted as started at {@code start}, the
     * next due at {@code nextDue}; the claim ends. The audit events {@code audit} makes of the
     * target as it was before commit with the change and are handed to the audit recorder after.
     *
     * @return false when {@code claimant} no longer held the target (nothing is written)
     */
    boolean submitFailed(DriftTargetId id, String claimant, Instant start, Instant nextDue, String reason,
            Function<DriftRecord, List<AuditEvent>> audit);

    /** Ends {@code claimant}'s claim without a check, so the target is due again at once. */
    void release(DriftTargetId id, String claimant);

    /**
     * Records what the pending check {@code run} found, once: the first caller (on any replica)
     * records it, with {@code run} as the result's run and the store's clock as its time; a FAILING state counts one
     * failure more, any other resets the count. The audit
     * events {@code audit} makes of the target as it was before commit with the result (so each is
     * recorded once, by the replica that recorded the result) and are handed on after.
     *
     * @return the target's state before, when this call recorded the result; empty when the
     *     target has no pending check of {@code run} (already recorded, or the target is gone)
     */
    Optional<DriftState> recordResult(DriftTargetId id, RunId run, DriftState state, String reason,
            Function<DriftRecord, List<AuditEvent>> audit);
}
