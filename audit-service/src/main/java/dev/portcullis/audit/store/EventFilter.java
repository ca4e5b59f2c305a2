package dev.portcullis.audit.store;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditOutcome;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Which events a query wants; absent parts match everything. Built with {@link #builder()}.
 */
public final class EventFilter {
    private final Instant from;
    private final Instant to;
    private final String actor;
    private final Set<AuditAction> actions;
    private final String repo;
    private final String runId;
    private final AuditOutcome outcome;
    private final String traceId;

    private EventFilter(Builder b) {
        this.from = b.from;
        this.to = b.to;
        this.actor = b.actor;
        this.actions = Set.copyOf(b.actions);
        this.repo = b.repo;
        this.runId = b.runId;
        this.outcome = b.outcome;
        this.traceId = b.traceId;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Events at or after this time. */
    public Optional<Instant> from() {
        return Optional.ofNullable(from);
    }

    /** Events before this time. */
    public Optional<Instant> to() {
        return Optional.ofNullable(to);
    }

    public Optional<String> actor() {
        return Optional.ofNullable(actor);
    }

    /** Empty means every action. */
    public Set<AuditAction> actions() {
        return actions;
    }

    public Optional<String> repo() {
        return Optional.ofNullable(repo);
    }

    public Optional<String> runId() {
        return Optional.ofNullable(runId);
    }

    public Optional<AuditOutcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    public Optional<String> traceId() {
        return Optional.ofNullable(traceId);
    }

    /** Builds a filter. Not thread-safe. */
    public static final class Builder {
        private Instant from;
        private Instant to;
        private String actor;
        private Set<AuditAction> actions = Set.of();
        private String repo;
        private String runId;
        private AuditOutcome outcome;
        private String traceId;

        public Builder from(Instant from) {
            this.from = requireNonNull(from, "from is null");
            return this;
        }

        public Builder to(Instant to) {
            this.to = requireNonNull(to, "to is null");
            return this;
        }

        public Builder actor(String actor) {
            this.actor = requireNonNull(actor, "actor is null");
            return this;
        }

        public Builder actions(Set<AuditAction> actions) {
            this.actions = requireNonNull(actions, "actions is null");
            return this;
        }

        public Builder repo(String repo) {
            this.repo = requireNonNull(repo, "repo is null");
            return this;
        }

        public Builder runId(String runId) {
            this.runId = requireNonNull(runId, "runId is null");
            return this;
        }

        public Builder outcome(AuditOutcome outcome) {
            this.outcome = requireNonNull(outcome, "outcome is null");
            return this;
        }

        public Builder traceId(String traceId) {
            this.traceId = requireNonNull(traceId, "traceId is null");
            return this;
        }

        public EventFilter build() {
            return new EventFilter(this);
        }
    }
}
