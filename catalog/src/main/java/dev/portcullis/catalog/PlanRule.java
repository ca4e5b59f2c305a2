package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.condition.PlanCondition;

/**
 * A rule on what the plan an apply runs would change: {@code deny_when} and
 * {@code approvals_when} entries of a catalog rule. Evaluated only for commands that apply a plan.
 */
public sealed interface PlanRule {
    /** The condition over {@code plan}. */
    PlanCondition when();

    /** Where the entry is written. */
    Location location();

    /**
     * Denies the apply when {@link #when} holds.
     *
     * @param reason the reason the denial names, as written
     */
    record Deny(PlanCondition when, String reason, Location location) implements PlanRule {
        public Deny {
            requireNonNull(when, "when is null");
            requireNonNull(reason, "reason is null");
            requireNonNull(location, "location is null");
            if (reason.isBlank()) {
                throw new IllegalArgumentException("reason must not be blank");
            }
        }
    }

    /**
     * Raises the approvals the apply needs to at least {@code approvals} when {@link #when} holds.
     *
     * @param approvals 1 to 10
     */
    record Approvals(PlanCondition when, int approvals, Location location) implements PlanRule {
        public Approvals {
            requireNonNull(when, "when is null");
            requireNonNull(location, "location is null");
            if (approvals < 1 || approvals > 10) {
                throw new IllegalArgumentException("approvals must be from 1 to 10");
            }
        }
    }
}
