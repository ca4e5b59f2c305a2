package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.plan.PlanTool;
import java.util.Objects;
import java.util.Optional;

/**
 * The artifacts of a task: the file it produces (a plan), the tool whose {@code show -json} of it
 * the plan summary is derived from, and the plan it applies; each may be absent. Immutable.
 */
public final class TaskArtifacts {
    /** Neither. */
    public static final TaskArtifacts NONE = new TaskArtifacts(null, null, null);
    /**
     * Where a task that moves its own files (ECS) uploads its plan's JSON, next to its artifact, to
     * be read and deleted by the executor; no task may produce an artifact at this path.
     */
    public static final ArtifactPath PLAN_JSON = new ArtifactPath(".portcullis/plan-show.json");

    private final ArtifactPath produces;
    private final PlanTool summary;
    private final ArtifactRef plan;

    private TaskArtifacts(ArtifactPath produces, PlanTool summary, ArtifactRef plan) {
        this.produces = produces;
        this.summary = summary;
        this.plan = plan;
    }

    /** These artifacts, and the task writes {@code path} (relative to its folder) for a later run. */
    public TaskArtifacts producing(ArtifactPath path) {
        return new TaskArtifacts(requireNonNull(path, "path is null"), summary, plan);
    }

    /**
     * These artifacts, and the produced plan is summarised from {@code tool}'s {@code show -json}.
     *
     * @throws IllegalStateException when no artifact is produced
     */
    public TaskArtifacts summarisedBy(PlanTool tool) {
        if (produces == null) {
            throw new IllegalStateException("only a task that produces a plan has a plan summary");
        }
        return new TaskArtifacts(produces, requireNonNull(tool, "tool is null"), plan);
    }

    /** These artifacts, and the task applies the stored plan {@code ref}. */
    public TaskArtifacts applying(ArtifactRef ref) {
        return new TaskArtifacts(produces, summary, requireNonNull(ref, "ref is null"));
    }

    /** The tool the produced plan is summarised with; empty when no summary is derived. */
    public Optional<PlanTool> summary() {
        return Optional.ofNullable(summary);
    }

    public Optional<ArtifactPath> produces() {
        return Optional.ofNullable(produces);
    }

    public Optional<ArtifactRef> plan() {
        return Optional.ofNullable(plan);
    }

    public boolean isEmpty() {
        return produces == null && plan == null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TaskArtifacts that && Objects.equals(produces, that.produces) && summary == that.summary
                && Objects.equals(plan, that.plan);
    }

    @Override
    public int hashCode() {
        return Objects.hash(produces, summary, plan);
    }

    @Override
    public String toString() {
        return "TaskArtifacts[produces=" + produces + ", summary=" + summary + ", plan=" + plan + "]";
    }
}
