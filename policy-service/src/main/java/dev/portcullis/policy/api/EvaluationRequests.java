package dev.portcullis.policy.api;

import dev.portcullis.catalog.condition.PlanInput;
import dev.portcullis.policy.decision.EvaluationRequest;
import dev.portcullis.policy.decision.PlanReference;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.TokenClaims;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import dev.portcullis.v1.EvaluateRequest;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Parses an {@code EvaluateRequest} into domain values, reporting every malformed field at once. */
public final class EvaluationRequests {
    private EvaluationRequests() {}

    /** @throws dev.portcullis.runtime.error.InvalidRequestException listing every bad field */
    public static EvaluationRequest parse(EvaluateRequest request) {
        FieldParser fields = new FieldParser();
        Optional<SpiffeId> caller = fields.parse("caller", request.getCaller(), SpiffeId::new);
        Optional<CatalogName> repo = fields.parse("repo", request.getRepo(), CatalogName::new);
        Optional<CommitSha> commit = fields.parse("commit_sha", request.getCommitSha(), CommitSha::new);
        Optional<GitRef> ref = fields.parse("ref", request.getRef(), GitRef::new);
        Optional<RepoFolder> folder = fields.parse("folder", request.getFolder(), RepoFolder::parse);
        Optional<CatalogName> environment = fields.parse("environment", request.getEnvironment(), CatalogName::new);
        Optional<CatalogName> command = fields.parse("command", request.getCommand(), CatalogName::new);
        PlanReference plan = new PlanReference.None();
        if (request.hasPlan()) {
            Optional<RunId> planRun = fields.parse("plan.plan_run_id", request.getPlan().getPlanRunId(), RunId::new);
            Optional<CommitSha> planCommit = fields.parse("plan.commit_sha", request.getPlan().getCommitSha(), CommitSha::new);
            Optional<Sha256Digest> artifact =
                    fields.parse("plan.artifact_sha256", request.getPlan().getArtifactSha256(), Sha256Digest::new);
            Optional<PlanInput> summary = request.getPlan().hasSummary()
                    ? PlanSummaries.parse(fields, request.getPlan().getSummary())
                    : Optional.empty();
            if (planRun.isPresent() && planCommit.isPresent() && artifact.isPresent()) {
                plan = summary.isPresent()
                        ? new PlanReference.Bound(planRun.get(), planCommit.get(), artifact.get(), summary.get())
                        : new PlanReference.Bound(planRun.get(), planCommit.get(), artifact.get());
            }
        }
        TokenClaims claims = claims(fields, request.getClaimsMap());
        fields.throwIfInvalid();
        return new EvaluationRequest(caller.orElseThrow(), repo.orElseThrow(), commit.orElseThrow(), ref.orElseThrow(),
                folder.orElseThrow(), environment.orElseThrow(), command.orElseThrow(), plan, request.getBreakGlass(), claims);
    }

    /**
     * The token's claims, every bad one reported: a bad name once and without repeating it, a bad
     * value under its (then safe) name. {@link TokenClaims#NONE} when any is bad, as nothing is decided then.
     */
    private static TokenClaims claims(FieldParser fields, Map<String, String> raw) {
        boolean valid = true;
        if (raw.size() > TokenClaims.MAX_ENTRIES) {
            fields.reject("claims", "has " + raw.size() + " entries; at most " + TokenClaims.MAX_ENTRIES);
            valid = false;
        }
        boolean badName = false;
        for (Map.Entry<String, String> claim : new TreeMap<>(raw).entrySet()) {
            if (!TokenClaims.isName(claim.getKey())) {
                if (!badName) {
                    fields.parse("claims", claim.getKey(), TokenClaims::checkName); // states the rule
                }
                badName = true;
                valid = false;
                continue;
            }
            valid &= fields.parse("claims." + claim.getKey(), claim.getValue(), TokenClaims::checkValue).isPresent();
        }
        return valid ? new TokenClaims(raw) : TokenClaims.NONE;
    }
}
