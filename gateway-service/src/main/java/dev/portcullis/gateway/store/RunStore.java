package dev.portcullis.gateway.store;

import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunEvent;
import dev.portcullis.gateway.run.RunState;
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
 */
public interface RunStore {

    /**
     * Stores a new run and its first event (its state). The run's sequence is assigned here.
     *
     * @throws RequestKeyTakenException when the requester already used the run's request key
     */
    Run create(Run run);

    Optional<Run> find(RunId id);

    Optional<Run> findByRequestKey(SpiffeId requester, String requestKey);

    /** Runs matching {@code query}, newest first. */
    List<Run> list(RunQuery query);

    /**
     * Applies the change {@code decide} returns for the run as it is now, atomically: the run's
     * row is locked while {@code decide} runs, so concurrent changes serialise. A change into a
     * final state also frees the run's lock and lease. {@code decide} may throw to refuse.
     *
     * @return the run after the change
     * @throws dev.portcullis.runtime.error.DomainException NOT_FOUND, or CONFLICT
     *     ({@code RUN_STATE_CONFLICT}) for a transition {@link RunState} does not allow
     */
    Run update(RunId id, Function<Run, RunChange> decide);

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

    /** Sets every lease {@code owner} holds to end at {@code until}; a past time lets go of them. */
    void renew(String owner, Instant until);

    /** AWAITING_APPROVAL runs whose approval deadline passed (without approvals or queue position). */
    List<Run> approvalsPastDeadline(Instant now, int max);

    /** How many unfinished runs {@code requester} has. */
    int activeRuns(SpiffeId requester);

    /** How many runs are in each of {@code states} now, in one query; a state without runs counts 0. */
    Map<RunState, Long> countByState(Set<RunState> states);

    /** A filter and page for {@link #list}. Empty strings and sets mean "any". */
    record RunQuery(String repo, String environment, Set<RunState> states, String requester, int limit,
            long beforeSequence) {
        public RunQuery {
            states = Set.copyOf(states);
        }
    }
}
