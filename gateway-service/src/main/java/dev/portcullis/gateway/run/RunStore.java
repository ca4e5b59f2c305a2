package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.RunId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Port: where runs, their events, approvals, locks and leases live. Shared by every gateway
 * replica (PostgreSQL in production): locks and leases are rows, so replicas agree. Every write
 * is one transaction. Failures to reach the database are {@code DomainException} UNAVAILABLE
 * ({@code STORE_UNAVAILABLE}).
 *
 * <p>Audit (transactional outbox): the audit events of a new run or a change are stored in the
 * gateway's audit outbox table in the same transaction as the run, so they exist exactly when the
 * change does; the outbox's relay ships them to the audit service from there.
 */
public interface RunStore {

    /**
     * Stores a new run, its first event (its state) and the audit events {@code audit} makes of
     * the run as stored, in one transaction (the audit outbox's relay ships those). The run's
     * sequence is assigned here.
     *
     * @throws RequestKeyTakenException when the requester already used the run's request key
     *     (nothing is stored)
     */
    default Run create(Run run, Function<Run, List<AuditEvent>> audit) {
        return create(run, Integer.MAX_VALUE, audit);
    }

    /**
     * As {@link #create(Run, Function)}; a run submitted with an identity token
     * ({@link Run#tokenUse}) is also counted against its token, atomically with the insert and
     * across every replica sharing the store: at most {@code maxRunsPerToken} runs commit per
     * token, and a run not stored is not counted.
     *
     * @throws TokenRunsExhaustedException when the token already submitted {@code maxRunsPerToken}
     *     runs (nothing is stored)
     * @throws RequestKeyTakenException when the requester already used the run's request key
     *     (nothing is stored or counted)
     */
    Run create(Run run, int maxRunsPerToken, Function<Run, List<AuditEvent>> audit);

    Optional<Run> find(RunId id);

    Optional<Run> findByRequestKey(SpiffeId requester, String requestKey);

    /** Runs matching {@code query}, newest first. */
    List<Run> list(RunQuery query);

    /**
     * Applies the change {@code decide} returns for the run as it is now, atomically: the run's
     * row is locked while {@code decide} runs, so concurrent changes serialise. A change into a
     * final state also frees the run's lock and lease. {@code decide} may throw to refuse. The
     * change's audit events ({@link RunChange#audit}) commit with it, into the audit outbox.
     *
     * @return the run after the change
     * @throws dev.portcullis.runtime.error.DomainException NOT_FOUND, or CONFLICT
     *     ({@code RUN_STATE_CONFLICT}) for a transition {@link RunState} does not allow
     */
    Run update(RunId id, Function<Run, RunChange> decide);

    /**
     * As {@link #update}, fenced by the run's lease: the change commits only while {@code holder}
     * holds the lease ({@link #claim}) and it has not run out, checked in the change's own
     * transaction with the run's row locked, so a replica that lost the run (another claimed it
     * once the lease ran out) never writes to it again. Every write a driving replica makes goes
     * through here.
     *
     * @throws RunLeaseLostException when {@code holder} does not hold the lease now (nothing is
     *     written, {@code decide} is not called)
     */
    Run updateHeld(RunId id, String holder, Function<Run, RunChange> decide);

    /** Up to {@code max} events of the run from {@code fromOffset}, in order. */
    List<RunEvent> events(RunId id, long fromOffset, int max);

    /**
     * Takes the lock on the run's (repo, folder, environment) for a QUEUED run that is first in
     * line for it. True when the run holds the lock (also when it already did).
     */
    boolean tryLock(RunId id);

    /**
     * Runs in {@code states} that nobody drives: unowned, owned by {@code owner}, or whose owner's
     * lease ran out; oldest first. For scanning: the runs carry no approvals or queue position
     * ({@link #find} has them).
     */
    List<Run> unattended(Set<RunState> states, String owner, Instant now, int max);

    /** Makes {@code owner} the driver of the run until {@code until}, if nobody else holds it. */
    boolean claim(RunId id, String owner, Instant now, Instant until);

    /**
     * Sets every lease {@code owner} holds to end at {@code until}; a past time lets go of them.
     *
     * @return the runs whose lease {@code owner} holds after the renewal: a run it claimed that is
     *     missing was taken over by another replica (or ended)
     */
    Set<RunId> renew(String owner, Instant until);

    /** AWAITING_APPROVAL runs whose approval deadline passed (without approvals or queue position). */
    List<Run> approvalsPastDeadline(Instant now, int max);

    /** How many unfinished runs {@code requester} has. */
    int activeRuns(SpiffeId requester);

    /** How many runs are in each of {@code states} now, in one query; a state without runs counts 0. */
    Map<RunState, Long> countByState(Set<RunState> states);

    /** A filter and page for {@link #list}. Empty strings and sets mean "any". */
    record RunQuery(String repo, String environment, Set<RunState> states, String requester, int limit,
            long beforeSequence, Drift drift) {
        public RunQuery {
            states = Set.copyOf(states);
            requireNonNull(drift, "drift is null");
        }

        /** A query of drift checks and other runs alike. */
        public RunQuery(String repo, String environment, Set<RunState> states, String requester, int limit,
                long beforeSequence) {
            this(repo, environment, states, requester, limit, beforeSequence, Drift.ANY);
        }

        /** Which runs to list by their {@link Run#drift} mark. */
        public enum Drift { ANY, ONLY, EXCLUDED }
    }
}
