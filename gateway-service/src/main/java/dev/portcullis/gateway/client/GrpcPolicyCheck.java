package dev.portcullis.gateway.client;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.gateway.run.CommandStep;
import dev.portcullis.gateway.run.Decision;
import dev.portcullis.gateway.run.PolicyCheck;
import dev.portcullis.gateway.run.RunSpec;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.TokenClaims;
import dev.portcullis.v1.DecisionOutcome;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.PlanBinding;
import dev.portcullis.v1.PolicyServiceGrpc;
import dev.portcullis.v1.SecretKind;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PolicyCheck} over gRPC to the policy service, with a deadline. Any failure — down, slow,
 * refusing, or an answer that is not a clear ALLOW or DENY — is POLICY_UNAVAILABLE: never an allow.
 */
public final class GrpcPolicyCheck implements PolicyCheck {
    private static final Logger log = LoggerFactory.getLogger(GrpcPolicyCheck.class);

    private final PolicyServiceGrpc.PolicyServiceBlockingStub stub;
    private final Duration timeout;

    public GrpcPolicyCheck(Channel channel, Duration timeout) {
        this.stub = PolicyServiceGrpc.newBlockingStub(requireNonNull(channel, "channel is null"));
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    @Override
    public Decision evaluate(SpiffeId caller, RunSpec spec, List<PlanBinding> plan, boolean breakGlass, TokenClaims claims,
            String traceId) {
        EvaluateRequest.Builder request = EvaluateRequest.newBuilder()
                .setCaller(caller.value())
                .setRepo(spec.repo().value())
                .setCommitSha(spec.commit().value())
                .setRef(spec.ref().value())
                .setFolder(spec.folder().value())
                .setEnvironment(spec.environment().value())
                .setCommand(spec.command().value())
                .setBreakGlass(breakGlass)
                .putAllClaims(claims.values());
        plan.forEach(binding -> {
            dev.portcullis.v1.PlanBinding.Builder bound = dev.portcullis.v1.PlanBinding.newBuilder()
                    .setPlanRunId(binding.planRun().value())
                    .setCommitSha(binding.commit().value())
                    .setArtifactSha256(binding.artifact().value());
            // plan rules read it; without it a rule that needs it denies (PLAN_SUMMARY_MISSING)
            binding.summary().forEach(summary -> bound.setSummary(PlanSummaries.toProto(summary)));
            request.setPlan(bound);
        });
        dev.portcullis.v1.Decision decision;
        try {
            decision = stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).evaluate(request.build()).getDecision();
        } catch (StatusRuntimeException e) {
            log.atWarn().addKeyValue("status", e.getStatus().getCode().name()).log("policy.unavailable");
            throw unavailable("the policy service did not answer (" + e.getStatus().getCode() + "); nothing was decided");
        }
        if (decision.getOutcome() != DecisionOutcome.DECISION_OUTCOME_ALLOW
                && decision.getOutcome() != DecisionOutcome.DECISION_OUTCOME_DENY) {
            throw unavailable("the policy service answered without a decision");
        }
        return new Decision(decision.getOutcome() == DecisionOutcome.DECISION_OUTCOME_ALLOW,
                decision.getReasonsList().stream()
                        .map(r -> new Decision.Reason(r.getCode(), r.getMessage(), r.getField())).toList(),
                decision.hasMatchedRule() ? decision.getMatchedRule().getRepo() + " rule " + decision.getMatchedRule().getIndex()
                        + " (line " + decision.getMatchedRule().getLocation() + ")" : "",
                decision.getRequiredApprovals(), decision.getCatalogVersion(), decision.getArgvList(),
                decision.getSecretGrantsList().stream()
                        .map(GrpcPolicyCheck::grant)
                        .toList(),
                decision.hasProducesArtifact() ? decision.getProducesArtifact() : "", decision.getRequiresPlan(),
                decision.getChangeWindowsList(), decision.getRepoUrl(), steps(decision), decision.getEnvMap(),
                decision.hasTimeout() ? timeout(decision.getTimeout()) : Duration.ZERO,
                PlanSummaries.tool(decision.getPlanSummaryTool()));
    }

    /** The decision's steps; a decision with only {@code argv} (a policy service before steps) is one step. */
    private static List<CommandStep> steps(dev.portcullis.v1.Decision decision) {
        try {
            return decision.getStepsList().stream()
                    .map(step -> new CommandStep(step.getArgvList(), step.getDetailedExitcode()))
                    .toList();
        } catch (IllegalArgumentException e) {
            throw unavailable("the policy service sent a command step without argv");
        }
    }

    private static Duration timeout(com.google.protobuf.Duration timeout) {
        Duration value = Duration.ofSeconds(timeout.getSeconds(), timeout.getNanos());
        if (value.isNegative() || value.isZero()) {
            throw unavailable("the policy service sent a timeout that is not positive");
        }
        return value;
    }

    private static SecretGrant grant(dev.portcullis.v1.SecretGrant grant) {
        SecretGrant.Kind kind = kind(grant.getKind());
        try {
            return new SecretGrant(kind, grant.getPath());
        } catch (IllegalArgumentException e) {
            // the catalog refuses such a path on load: a policy service granting one is not to be trusted
            throw unavailable("the policy service granted a secret path the catalog does not allow");
        }
    }

    private static SecretGrant.Kind kind(SecretKind kind) {
        return switch (kind) {
            case SECRET_KIND_KV -> SecretGrant.Kind.KV;
            case SECRET_KIND_AWS -> SecretGrant.Kind.AWS;
            default -> throw unavailable("the policy service granted a secret of an unknown kind");
        };
    }

    private static DomainException unavailable(String message) {
        return new DomainException(DomainException.Kind.UNAVAILABLE, "POLICY_UNAVAILABLE", message, Map.of());
    }
}
