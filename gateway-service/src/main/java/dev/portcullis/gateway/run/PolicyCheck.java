package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.TokenClaims;
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
     * @param claims the verified claims of the caller's identity token, {@code request.claims} in catalog
     *     conditions: at submission the token's, at dequeue those recorded with the run;
     *     {@link TokenClaims#NONE} for a caller with a client certificate
     * @throws dev.portcullis.runtime.error.DomainException UNAVAILABLE ({@code POLICY_UNAVAILABLE})
     *     when the policy service cannot answer in time — never an allow
     */
    Decision evaluate(SpiffeId caller, RunSpec spec, List<PlanBinding> plan, boolean breakGlass, TokenClaims claims,
            String traceId);

    /**
     * The plan an apply applies, as the policy service checks it.
     *
     * @param summary the plan run's plan summary, which plan rules read: 0 or 1 (none when its command
     *     declares no {@code summary:})
     */
    record PlanBinding(RunId planRun, CommitSha commit, Sha256Digest artifact, List<PlanSummary> summary) {
        public PlanBinding {
            requireNonNull(planRun, "planRun is null");
            requireNonNull(commit, "commit is null");
            requireNonNull(artifact, "artifact is null");
            summary = List.copyOf(summary);
            if (summary.size() > 1) {
                throw new IllegalArgumentException("at most one plan summary");
            }
        }

        /** The binding of the plan {@code plan} (a succeeded plan run with an artifact) produced. */
        public static PlanBinding of(Run plan, PlanArtifact artifact) {
            return new PlanBinding(plan.id(), plan.spec().commit(), artifact.sha256(),
                    plan.planSummary().map(List::of).orElse(List.of()));
        }
    }
}
