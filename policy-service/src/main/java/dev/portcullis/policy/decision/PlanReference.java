package dev.portcullis.policy.decision;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;

/** Whether a request names the plan it applies. */
public sealed interface PlanReference {
    /** No plan named. */
    record None() implements PlanReference {}

    /** The plan run an apply is bound to. */
    record Bound(RunId planRunId, CommitSha commit, Sha256Digest artifact) implements PlanReference {
        public Bound {
            requireNonNull(planRunId, "planRunId is null");
            requireNonNull(commit, "commit is null");
            requireNonNull(artifact, "artifact is null");
        }
    }
}
