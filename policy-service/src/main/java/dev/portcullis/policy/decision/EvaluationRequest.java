package dev.portcullis.policy.decision;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.TokenClaims;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;

/**
 * A validated request for a decision: every field already passed its boundary checks.
 *
 * @param claims the verified claims of the caller's identity token, {@code request.claims} in conditions;
 *     {@link TokenClaims#NONE} for a caller with a client certificate
 */
public record EvaluationRequest(SpiffeId caller, CatalogName repo, CommitSha commit, GitRef ref, RepoFolder folder,
        CatalogName environment, CatalogName command, PlanReference plan, boolean breakGlass, TokenClaims claims) {
    public EvaluationRequest {
        requireNonNull(caller, "caller is null");
        requireNonNull(repo, "repo is null");
        requireNonNull(commit, "commit is null");
        requireNonNull(ref, "ref is null");
        requireNonNull(folder, "folder is null");
        requireNonNull(environment, "environment is null");
        requireNonNull(command, "command is null");
        requireNonNull(plan, "plan is null");
        requireNonNull(claims, "claims is null");
    }

    /** A request from a caller with a client certificate: no token claims. */
    public EvaluationRequest(SpiffeId caller, CatalogName repo, CommitSha commit, GitRef ref, RepoFolder folder,
            CatalogName environment, CatalogName command, PlanReference plan, boolean breakGlass) {
        this(caller, repo, commit, ref, folder, environment, command, plan, breakGlass, TokenClaims.NONE);
    }
}
