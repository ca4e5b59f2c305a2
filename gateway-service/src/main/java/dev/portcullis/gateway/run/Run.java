package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.TokenClaims;
import dev.portcullis.runtime.request.RunId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A run as it is stored: what was asked, by whom, what was decided and where it stands. Immutable. */
public final class Run {
    private final RunId id;
    private final long sequence;
    private final String requestKey;
    private final SpiffeId requester;
    private final RunSpec spec;
    private final RunState state;
    private final String stateReason;
    private final Decision decision;
    private final List<Approval> approvals;
    private final Instant approvalDeadline;
    private final PlanArtifact artifact;
    private final PlanSummary planSummary;
    private final Integer exitCode;
    private final String traceId;
    private final String traceSpanId;
    private final String breakGlassJustification;
    private final TokenClaims claims;
    private final Instant createdAt;
    private final Instant updatedAt;
    private final long nextOffset;
    private final long taskOffset;
    private final boolean cancelRequested;
    private final int queuePosition;
    private final boolean drift;
    private final String authentication;
    private final TokenUse tokenUse;

    private Run(Builder b) {
        this.id = requireNonNull(b.id, "id is null");
        this.sequence = b.sequence;
        this.requestKey = requireNonNull(b.requestKey, "requestKey is null");
        this.requester = requireNonNull(b.requester, "requester is null");
        this.spec = requireNonNull(b.spec, "spec is null");
        this.state = requireNonNull(b.state, "state is null");
        this.stateReason = requireNonNull(b.stateReason, "stateReason is null");
        this.decision = requireNonNull(b.decision, "decision is null");
        this.approvals = List.copyOf(b.approvals);
        this.approvalDeadline = b.approvalDeadline;
        this.artifact = b.artifact;
        this.planSummary = b.planSummary;
        this.exitCode = b.exitCode;
        this.traceId = requireNonNull(b.traceId, "traceId is null");
        this.traceSpanId = requireNonNull(b.traceSpanId, "traceSpanId is null");
        this.breakGlassJustification = requireNonNull(b.breakGlassJustification, "breakGlassJustification is null");
        this.claims = requireNonNull(b.claims, "claims is null");
        this.createdAt = requireNonNull(b.createdAt, "createdAt is null");
        this.updatedAt = requireNonNull(b.updatedAt, "updatedAt is null");
        this.nextOffset = b.nextOffset;
        this.taskOffset = b.taskOffset;
        this.cancelRequested = b.cancelRequested;
        this.queuePosition = b.queuePosition;
        this.drift = b.drift;
        this.authentication = requireNonNull(b.authentication, "authentication is null");
        this.tokenUse = b.tokenUse;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this run's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.sequence = sequence;
        b.requestKey = requestKey;
        b.requester = requester;
        b.spec = spec;
        b.state = state;
        b.stateReason = stateReason;
        b.decision = decision;
        b.approvals = approvals;
        b.approvalDeadline = approvalDeadline;
        b.artifact = artifact;
        b.planSummary = planSummary;
        b.exitCode = exitCode;
        b.traceId = traceId;
        b.traceSpanId = traceSpanId;
        b.breakGlassJustification = breakGlassJustification;
        b.claims = claims;
        b.createdAt = createdAt;
        b.updatedAt = updatedAt;
        b.nextOffset = nextOffset;
        b.taskOffset = taskOffset;
        b.cancelRequested = cancelRequested;
        b.queuePosition = queuePosition;
        b.drift = drift;
        b.authentication = authentication;
        b.tokenUse = tokenUse;
        return b;
    }

    public RunId id() {
        return id;
    }

    /** Submission order across all runs. */
    public long sequence() {
        return sequence;
    }

    /** The caller's idempotency key. */
    public String requestKey() {
        return requestKey;
    }

    public SpiffeId requester() {
        return requester;
    }

    public RunSpec spec() {
        return spec;
    }

    public RunState state() {
        return state;
    }

    /** Why the run is in its state, in plain words; empty when there is nothing to add. */
    public String stateReason() {
        return stateReason;
    }

    /** The latest policy decision. */
    public Decision decision() {
        return decision;
    }

    public List<Approval> approvals() {
        return approvals;
    }

    /** When approvals stop being accepted. */
    public Optional<Instant> approvalDeadline() {
        return Optional.ofNullable(approvalDeadline);
    }

    /** The plan artifact a plan run produced. */
    public Optional<PlanArtifact> artifact() {
        return Optional.ofNullable(artifact);
    }

    /**
     * The summary of the plan a plan run produced, stored with its artifact; empty when the run
     * produced none or its command declares no {@code summary:}. (For an apply, the summary to show
     * is its plan run's.)
     */
    public Optional<PlanSummary> planSummary() {
        return Optional.ofNullable(planSummary);
    }

    /** The task's exit code, once it exited. */
    public Optional<Integer> exitCode() {
        return Optional.ofNullable(exitCode);
    }

    /** W3C trace id tying the run's spans and audit events together. */
    public String traceId() {
        return traceId;
    }

    /** The span (16 hex) that submitted the run, parent of the driver's spans; empty when none. */
    public String traceSpanId() {
        return traceSpanId;
    }

    /** True when submitted with break-glass. */
    public boolean breakGlass() {
        return !breakGlassJustification.isEmpty();
    }

    /** The admin's written justification; empty unless break-glass. */
    public String breakGlassJustification() {
        return breakGlassJustification;
    }

    /**
     * The verified claims of the identity token the run was submitted with, as the policy service
     * read them at submission; it reads the same at dequeue, when the token is gone.
     * {@link TokenClaims#NONE} for a run submitted with a client certificate.
     */
    public TokenClaims claims() {
        return claims;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    /** Offset the next event of this run gets; the number of events so far. */
    public long nextOffset() {
        return nextOffset;
    }

    /** Offset of the next executor task event to copy into the run's events. */
    public long taskOffset() {
        return taskOffset;
    }

    /** True when a cancel was asked for while the task ran; the run ends when the task does. */
    public boolean cancelRequested() {
        return cancelRequested;
    }

    /**
     * True for a drift check: a plan run the gateway's drift scheduler submitted to compare what
     * runs with the code. Such a run never waits for approval and no apply may name it.
     */
    public boolean drift() {
        return drift;
    }

    /** How the requester authenticated when submitting: {@code mtls} or {@code oidc:ISSUER}. */
    public String authentication() {
        return authentication;
    }

    /**
     * The identity token the run was submitted with (issuer and {@code jti}); empty for a
     * certificate caller.
     */
    public Optional<TokenUse> tokenUse() {
        return Optional.ofNullable(tokenUse);
    }

    /** Runs ahead of this one for the same (repo, folder, environment); QUEUED only. */
    public int queuePosition() {
        return queuePosition;
    }

    @Override
    public String toString() {
        return "Run[" + id + " " + state + " " + spec + " by " + requester + "]";
    }

    /** Builds a run; optional parts stay absent unless set. Not thread-safe. */
    public static final class Builder {
        private RunId id;
        private long sequence;
        private String requestKey;
        private SpiffeId requester;
        private RunSpec spec;
        private RunState state;
        private String stateReason = "";
        private Decision decision;
        private List<Approval> approvals = List.of();
        private Instant approvalDeadline;
        private PlanArtifact artifact;
        private PlanSummary planSummary;
        private Integer exitCode;
        private String traceId = "";
        private String traceSpanId = "";
        private String breakGlassJustification = "";
        private TokenClaims claims = TokenClaims.NONE;
        private Instant createdAt;
        private Instant updatedAt;
        private long nextOffset;
        private long taskOffset;
        private boolean cancelRequested;
        private int queuePosition;
        private boolean drift;
        private String authentication = "mtls";
        private TokenUse tokenUse;

        private Builder() {}

        public Builder id(RunId value) {
            id = value;
            return this;
        }

        public Builder sequence(long value) {
            sequence = value;
            return this;
        }

        public Builder requestKey(String value) {
            requestKey = value;
            return this;
        }

        public Builder requester(SpiffeId value) {
            requester = value;
            return this;
        }

        public Builder spec(RunSpec value) {
            spec = value;
            return this;
        }

        public Builder state(RunState value) {
            state = value;
            return this;
        }

        public Builder stateReason(String value) {
            stateReason = value;
            return this;
        }

        public Builder decision(Decision value) {
            decision = value;
            return this;
        }

        public Builder approvals(List<Approval> value) {
            approvals = value;
            return this;
        }

        public Builder approvalDeadline(Instant value) {
            approvalDeadline = requireNonNull(value, "approvalDeadline is null");
            return this;
        }

        public Builder artifact(PlanArtifact value) {
            artifact = requireNonNull(value, "artifact is null");
            return this;
        }

        public Builder planSummary(PlanSummary value) {
            planSummary = requireNonNull(value, "planSummary is null");
            return this;
        }

        public Builder exitCode(int value) {
            exitCode = value;
            return this;
        }

        public Builder traceSpanId(String value) {
            traceSpanId = value;
            return this;
        }

        public Builder traceId(String value) {
            traceId = value;
            return this;
        }

        public Builder breakGlassJustification(String value) {
            breakGlassJustification = value;
            return this;
        }

        public Builder claims(TokenClaims value) {
            claims = requireNonNull(value, "claims is null");
            return this;
        }

        public Builder createdAt(Instant value) {
            createdAt = value;
            return this;
        }

        public Builder updatedAt(Instant value) {
            updatedAt = value;
            return this;
        }

        public Builder nextOffset(long value) {
            nextOffset = value;
            return this;
        }

        public Builder taskOffset(long value) {
            taskOffset = value;
            return this;
        }

        public Builder cancelRequested(boolean value) {
            cancelRequested = value;
            return this;
        }

        public Builder drift(boolean value) {
            drift = value;
            return this;
        }

        public Builder authentication(String value) {
            authentication = requireNonNull(value, "authentication is null");
            return this;
        }

        public Builder tokenUse(TokenUse value) {
            tokenUse = requireNonNull(value, "tokenUse is null");
            return this;
        }

        public Builder queuePosition(int value) {
            queuePosition = value;
            return this;
        }

        public Run build() {
            return new Run(this);
        }
    }
}
