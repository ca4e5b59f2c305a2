package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import java.util.List;

/** Port: asks the policy service for a decision. */
public interface PolicyCheck {

    /**
     * The decision about {@code spec} for {@code caller}.
     *
     * @param plan the plan an apply applies: empty list or exactly one binding
     * @throws dev.portcullis.runtime.error.DomainException UNAVAILABLE ({@code POLICY_UNAVAILABLE})
     *     when the policy service cannot answer in time — never an allow
     */
    Decision evaluate(SpiffeId caller, RunSpec spec, List<PlanBinding> plan, boolean breakGlass, String traceId);

    /** The plan an apply applies, as the policy service checks it. */
    record PlanBinding(RunId planRun, CommitSha commit, Sha256Digest artifact) {
        public PlanBinding {
            requireNonNull(planRun, "planRun is null");
            requireNonNull(commit, "commit is null");
            requireNonNull(artifact, "artifact is null");
        }
    }
}
