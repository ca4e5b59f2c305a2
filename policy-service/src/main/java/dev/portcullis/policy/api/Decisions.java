package dev.portcullis.policy.api;

import com.google.protobuf.Duration;
import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.policy.decision.Decision;
import dev.portcullis.v1.CommandStep;
import dev.portcullis.v1.DecisionOutcome;
import dev.portcullis.v1.DecisionReason;
import dev.portcullis.v1.PlanTool;
import dev.portcullis.v1.RuleRef;
import dev.portcullis.v1.SecretKind;

/** Maps domain decisions to their contract form. */
final class Decisions {
    private Decisions() {}

    static dev.portcullis.v1.Decision toProto(Decision decision) {
        dev.portcullis.v1.Decision.Builder proto = dev.portcullis.v1.Decision.newBuilder()
                .setOutcome(decision.allowed() ? DecisionOutcome.DECISION_OUTCOME_ALLOW : DecisionOutcome.DECISION_OUTCOME_DENY)
                .setRequiredApprovals(decision.requiredApprovals())
                .setCatalogVersion(decision.catalogVersion().value())
                .addAllArgv(decision.argv())
                .setRequiresPlan(decision.requiresPlan())
                .addAllChangeWindows(decision.changeWindows())
                .setRepoUrl(decision.repoUrl());
        decision.reasons().forEach(reason -> proto.addReasons(DecisionReason.newBuilder()
                .setCode(reason.code()).setMessage(reason.message()).setField(reason.field())));
        decision.matchedRule().ifPresent(matched -> proto.setMatchedRule(RuleRef.newBuilder()
                .setRepo(matched.repo().value())
                .setIndex(matched.rule().index())
                .setLocation(matched.rule().location().line() + ":" + matched.rule().location().column())));
        decision.secretGrants().forEach(grant -> proto.addSecretGrants(dev.portcullis.v1.SecretGrant.newBuilder()
                .setKind(grant.kind() == SecretGrant.Kind.KV ? SecretKind.SECRET_KIND_KV : SecretKind.SECRET_KIND_AWS)
                .setPath(grant.path())));
        if (!decision.produces().isEmpty()) {
            proto.setProducesArtifact(decision.produces());
        }
        decision.steps().forEach(step -> proto.addSteps(CommandStep.newBuilder()
                .addAllArgv(step.argv()).setDetailedExitcode(step.detailedExitcode())));
        proto.putAllEnv(decision.env());
        if (!decision.timeout().isZero()) {
            proto.setTimeout(Duration.newBuilder().setSeconds(decision.timeout().getSeconds())
                    .setNanos(decision.timeout().getNano()));
        }
        proto.setPlanSummaryTool(switch (decision.planSummaryTool()) {
            case NONE -> PlanTool.PLAN_TOOL_UNSPECIFIED;
            case TERRAFORM -> PlanTool.PLAN_TOOL_TERRAFORM;
            case TOFU -> PlanTool.PLAN_TOOL_TOFU;
        });
        return proto.build();
    }
}
