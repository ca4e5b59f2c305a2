package dev.portcullis.gateway.run;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Lifecycle of a run. The legal transitions live here and nowhere else:
 *
 * <pre>
 * SUBMITTED ─▶ DENIED
 * SUBMITTED ─▶ AWAITING_APPROVAL ─▶ REJECTED | EXPIRED
 * SUBMITTED | AWAITING_APPROVAL ─▶ QUEUED ─▶ RUNNING ─▶ SUCCEEDED | FAILED | CANCELLED | TIMED_OUT
 * </pre>
 *
 * A run not yet RUNNING may also end CANCELLED; a decision taken again (when the run leaves the
 * queue, or an approved run is about to start) may end it DENIED; a run whose task could not be
 * started ends FAILED.
 */
public enum RunState {
    SUBMITTED,
    DENIED,
    AWAITING_APPROVAL,
    REJECTED,
    EXPIRED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED,
    TIMED_OUT;

    /** True for states a run never leaves. */
    public boolean isFinal() {
        return switch (this) {
            case DENIED, REJECTED, EXPIRED, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT -> true;
            case SUBMITTED, AWAITING_APPROVAL, QUEUED, RUNNING -> false;
        };
    }

    /**
     * True for the states a replica drives under a lease: a run in line for its (repo, folder,
     * environment) lock or holding it. Leaving them frees the lock.
     */
    public boolean isDriven() {
        return switch (this) {
            case QUEUED, RUNNING -> true;
            case SUBMITTED, AWAITING_APPROVAL, DENIED, REJECTED, EXPIRED, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT -> false;
        };
    }

    /** The states {@code test} holds for, e.g. {@code RunState.where(RunState::isDriven)} for a query. */
    public static Set<RunState> where(Predicate<RunState> test) {
        return Arrays.stream(values()).filter(test).collect(Collectors.toCollection(() -> EnumSet.noneOf(RunState.class)));
    }

    /** True when a run in this state may move to {@code next}. */
    public boolean canMoveTo(RunState next) {
        return successors().contains(next);
    }

    private Set<RunState> successors() {
        return switch (this) {
            case SUBMITTED -> EnumSet.of(DENIED, AWAITING_APPROVAL, QUEUED, CANCELLED);
            case AWAITING_APPROVAL -> EnumSet.of(REJECTED, EXPIRED, QUEUED, CANCELLED, DENIED);
            case QUEUED -> EnumSet.of(RUNNING, CANCELLED, DENIED, FAILED);
            case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, CANCELLED, TIMED_OUT);
            case DENIED, REJECTED, EXPIRED, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT -> EnumSet.noneOf(RunState.class);
        };
    }
}
