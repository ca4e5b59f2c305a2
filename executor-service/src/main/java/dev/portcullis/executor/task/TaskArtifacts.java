package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import java.util.Objects;
import java.util.Optional;

/**
 * The artifacts of a task: the file it produces (a plan) and the plan it applies; each may be
 * absent. Immutable.
 */
public final class TaskArtifacts {
    /** Neither. */
    public static final TaskArtifacts NONE = new TaskArtifacts(null, null);

    private final ArtifactPath produces;
    private final ArtifactRef plan;

    private TaskArtifacts(ArtifactPath produces, ArtifactRef plan) {
        this.produces = produces;
        this.plan = plan;
    }

    /** These artifacts, and the task writes {@code path} (relative to its folder) for a later run. */
    public TaskArtifacts producing(ArtifactPath path) {
        return new TaskArtifacts(requireNonNull(path, "path is null"), plan);
    }

    /** These artifacts, and the task applies the stored plan {@code ref}. */
    public TaskArtifacts applying(ArtifactRef ref) {
        return new TaskArtifacts(produces, requireNonNull(ref, "ref is null"));
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
        return other instanceof TaskArtifacts that && Objects.equals(produces, that.produces) && Objects.equals(plan, that.plan);
    }

    @Override
    public int hashCode() {
        return Objects.hash(produces, plan);
    }

    @Override
    public String toString() {
        return "TaskArtifacts[produces=" + produces + ", plan=" + plan + "]";
    }
}
