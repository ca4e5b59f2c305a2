package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One atomic change to a run: log lines copied from its task, then at most one state change,
 * plus what goes with it, including the audit events that tell of it. Written in one
 * transaction or not at all. Not thread-safe.
 */
public final class RunChange {
    private RunState state;
    private String reason = "";
    private Integer exitCode;
    private Decision decision;
    private PlanArtifact artifact;
    private PlanSummary planSummary;
    private Approval approval;
    private final List<Line> lines = new ArrayList<>();
    private long taskOffset = -1;
    private boolean cancelRequested;
    private boolean nothing = true;
    private Function<Run, List<AuditEvent>> audit = run -> List.of();

    private RunChange() {}

    /** A change to {@code state}, explained by {@code reason}. */
    public static RunChange to(RunState state, String reason) {
        RunChange change = new RunChange();
        change.state = requireNonNull(state, "state is null");
        change.reason = requireNonNull(reason, "reason is null");
        change.nothing = false;
        return change;
    }

    /** A change that keeps the state. */
    public static RunChange keepState() {
        return new RunChange();
    }

    public RunChange exitCode(int code) {
        exitCode = code;
        nothing = false;
        return this;
    }

    public RunChange decision(Decision value) {
        decision = requireNonNull(value, "decision is null");
        nothing = false;
        return this;
    }

    public RunChange artifact(PlanArtifact value) {
        artifact = requireNonNull(value, "artifact is null");
        nothing = false;
        return this;
    }

    /** The summary of the plan the run produced; stored with its artifact. */
    public RunChange planSummary(PlanSummary value) {
        planSummary = requireNonNull(value, "planSummary is null");
        nothing = false;
        return this;
    }

    public RunChange approval(Approval value) {
        approval = requireNonNull(value, "approval is null");
        nothing = false;
        return this;
    }

    /** Appends task lines and records that task events up to {@code nextTaskOffset} are copied. */
    public RunChange lines(List<Line> value, long nextTaskOffset) {
        lines.addAll(value);
        taskOffset = nextTaskOffset;
        nothing = false;
        return this;
    }

    public RunChange cancelRequested() {
        cancelRequested = true;
        nothing = false;
        return this;
    }

    /**
     * The audit events of the change, made from the run as the change leaves it (they name its
     * new state): stored in the change's transaction, so they exist exactly when the change does.
     * Events alone make a change too: they are stored even when nothing else changes.
     */
    public RunChange audit(Function<Run, List<AuditEvent>> events) {
        audit = requireNonNull(events, "events is null");
        return this;
    }

    /** The audit events of the change for {@code after}, the run as the change left it. */
    public List<AuditEvent> auditOf(Run after) {
        return List.copyOf(audit.apply(after));
    }

    public Optional<RunState> state() {
        return Optional.ofNullable(state);
    }

    public String reason() {
        return reason;
    }

    public Optional<Integer> exitCode() {
        return Optional.ofNullable(exitCode);
    }

    public Optional<Decision> decision() {
        return Optional.ofNullable(decision);
    }

    public Optional<PlanArtifact> artifact() {
        return Optional.ofNullable(artifact);
    }

    public Optional<PlanSummary> planSummary() {
        return Optional.ofNullable(planSummary);
    }

    public Optional<Approval> approval() {
        return Optional.ofNullable(approval);
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** The new task offset; negative when unchanged. */
    public long taskOffset() {
        return taskOffset;
    }

    public boolean isCancelRequested() {
        return cancelRequested;
    }

    /** True when the change changes nothing (no write happens). */
    public boolean isEmpty() {
        return nothing;
    }

    /** A log line to append. */
    public record Line(Instant time, RunEvent.Stream stream, String text, boolean redacted) {
        public Line {
            requireNonNull(time, "time is null");
            requireNonNull(stream, "stream is null");
            requireNonNull(text, "text is null");
        }
    }
}
