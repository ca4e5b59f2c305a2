package dev.portcullis.policy.decision;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;

/** A validated request for a decision: every field already passed its boundary checks. */
public record EvaluationRequest(SpiffeId caller, CatalogName repo, CommitSha commit, GitRef ref, RepoFolder folder,
        CatalogName environment, CatalogName command, PlanReference plan, boolean breakGlass) {
    public EvaluationRequest {
        requireNonNull(caller, "caller is null");
        requireNonNull(repo, "repo is null");
        requireNonNull(commit, "commit is null");
        requireNonNull(ref, "ref is null");
        requireNonNull(folder, "folder is null");
        requireNonNull(environment, "environment is null");
        requireNonNull(command, "command is null");
        requireNonNull(plan, "plan is null");
    }
}
