package dev.portcullis.gateway.drift;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.RunId;
import java.time.Instant;
import java.util.Optional;

/**
 * What the database holds about one drift target: when it was first seen, when its last check
 * started and its next is due, its last check's run and whether that check is still pending, and
 * what the last finished check found. Immutable.
 */
public final class DriftRecord {
    private final DriftTargetId id;
    private final Instant firstSeen;
    // null until the first check started
    private final Instant lastCheckStart;
    private final Instant nextDue;
    // null until the first check was submitted
    private final RunId lastRun;
    private final boolean checkPending;
    private final DriftState state;
    private final String stateReason;
    private final int consecutiveFailures;
    // null until a check's result was recorded, and after a check that could not be submitted
    private final RunId resultRun;
    // null until the first result was recorded
    private final Instant resultAt;

    /**
     * @param resultRun the run of the check whose result {@code state} is (see {@link #resultRun})
     * @param resultAt when that result was recorded
     */
    public DriftRecord(DriftTargetId id, Instant firstSeen, Optional<Instant> lastCheckStart, Instant nextDue,
            Optional<RunId> lastRun, boolean checkPending, DriftState state, String stateReason, int consecutiveFailures,
            Optional<RunId> resultRun, Optional<Instant> resultAt) {
        this.id = requireNonNull(id, "id is null");
        this.firstSeen = requireNonNull(firstSeen, "firstSeen is null");
        this.lastCheckStart = requireNonNull(lastCheckStart, "lastCheckStart is null").orElse(null);
        this.nextDue = requireNonNull(nextDue, "nextDue is null");
        this.lastRun = requireNonNull(lastRun, "lastRun is null").orElse(null);
        this.checkPending = checkPending;
        this.state = requireNonNull(state, "state is null");
        this.stateReason = requireNonNull(stateReason, "stateReason is null");
        this.consecutiveFailures = consecutiveFailures;
        this.resultRun = requireNonNull(resultRun, "resultRun is null").orElse(null);
        this.resultAt = requireNonNull(resultAt, "resultAt is null").orElse(null);
        if (checkPending && this.lastRun == null) {
            throw new IllegalArgumentException("a pending check has a run");
        }
        if (consecutiveFailures < 0) {
            throw new IllegalArgumentException("consecutiveFailures must not be negative");
        }
    }

    public DriftTargetId id() {
        return id;
    }

    public Instant firstSeen() {
        return firstSeen;
    }

    /** When the last check was submitted (or failed to be); empty for a target never checked. */
    public Optional<Instant> lastCheckStart() {
        return Optional.ofNullable(lastCheckStart);
    }

    public Instant nextDue() {
        return nextDue;
    }

    /** The run of the last check submitted; empty when none was. */
    public Optional<RunId> lastRun() {
        return Optional.ofNullable(lastRun);
    }

    /** True while the last check's run has not ended or its result is not recorded: no other check is submitted. */
    public boolean checkPending() {
        return checkPending;
    }

    public DriftState state() {
        return state;
    }

    /** Why the target is {@link DriftState#FAILING}, or what the last check found; safe to show. */
    public String stateReason() {
        return stateReason;
    }

    /** Failed checks since the last one that finished; 0 once one did. */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /**
     * The run of the last finished check, whose result {@link #state} is: not {@link #lastRun}
     * while a newer check is pending. Empty before any result, and when the last check could not
     * be submitted (it has no run).
     */
    public Optional<RunId> resultRun() {
        return Optional.ofNullable(resultRun);
    }

    /** When the result {@link #state} tells was recorded; empty for a target never checked. */
    public Optional<Instant> resultAt() {
        return Optional.ofNullable(resultAt);
    }

    @Override
    public String toString() {
        return "DriftRecord[" + id + ", " + state.label() + ", next due " + nextDue
                + (checkPending ? ", pending " + lastRun : "")
                + "]";
    }
}
