package dev.portcullis.policy.decision;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.condition.PlanInput;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import java.util.Objects;
import java.util.Optional;

/** Whether a request names the plan it applies. */
public sealed interface PlanReference {
    /** No plan named. */
    record None() implements PlanReference {}

    /**
     * The plan run an apply is bound to, with the plan summary of that run when its command
     * declared {@code summary:}. Immutable.
     */
    final class Bound implements PlanReference {
        private final RunId planRunId;
        private final CommitSha commit;
        private final Sha256Digest artifact;
        // null when the plan run has no summary; never handed out as null (see summary())
        private final PlanInput summary;

        /** A plan run without a plan summary. */
        public Bound(RunId planRunId, CommitSha commit, Sha256Digest artifact) {
            this(planRunId, commit, artifact, Optional.empty());
        }

        /** A plan run with its plan summary. */
        public Bound(RunId planRunId, CommitSha commit, Sha256Digest artifact, PlanInput summary) {
            this(planRunId, commit, artifact, Optional.of(requireNonNull(summary, "summary is null")));
        }

        private Bound(RunId planRunId, CommitSha commit, Sha256Digest artifact, Optional<PlanInput> summary) {
            this.planRunId = requireNonNull(planRunId, "planRunId is null");
            this.commit = requireNonNull(commit, "commit is null");
            this.artifact = requireNonNull(artifact, "artifact is null");
            this.summary = summary.orElse(null);
        }

        public RunId planRunId() {
            return planRunId;
        }

        public CommitSha commit() {
            return commit;
        }

        public Sha256Digest artifact() {
            return artifact;
        }

        /** The plan summary plan rules read; empty when the plan command declared no {@code summary:}. */
        public Optional<PlanInput> summary() {
            return Optional.ofNullable(summary);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Bound bound && planRunId.equals(bound.planRunId) && commit.equals(bound.commit)
                    && artifact.equals(bound.artifact) && Objects.equals(summary, bound.summary);
        }

        @Override
        public int hashCode() {
            return Objects.hash(planRunId, commit, artifact, summary);
        }

        @Override
        public String toString() {
            return "Bound[planRunId=" + planRunId + ", commit=" + commit + ", artifact=" + artifact + ", summary="
                    + (summary == null ? "none" : summary) + "]";
        }
    }
}
