package dev.portcullis.policy.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.CommandStep;
import dev.portcullis.v1.Decision;
import dev.portcullis.v1.DecisionOutcome;
import dev.portcullis.v1.DecisionReason;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.PlanBinding;
import dev.portcullis.v1.PlanChangeCounts;
import dev.portcullis.v1.PlanResourceChange;
import dev.portcullis.v1.PlanSummary;
import dev.portcullis.v1.PlanTool;
import dev.portcullis.v1.PolicyServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Commands as steps and plan rules, through the policy service over real mTLS, called as the gateway. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlanRulesGrpcTest {
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    private static final String CATALOG = """
            version: 1
            environments:
              prod: { approvals: 1 }
            commands:
              plan:
                steps:
                  - ["terraform", "init", "-input=false"]
                  - ["terraform", "plan", "-input=false", "-detailed-exitcode", "-out=plan.tfplan"]
                env: { TF_IN_AUTOMATION: "1" }
                timeout: 45m
                produces: plan.tfplan
                summary: terraform
              apply: { argv: ["terraform", "apply", "plan.tfplan"], requires_plan: true, changes_infrastructure: true }
            repos:
              - name: infra
                url: https://github.com/acme/infra.git
                folders: ["prod/**"]
                callers: ["spiffe://example.org/ci/infra"]
                rules:
                  - { commands: [plan], refs: ["refs/heads/main"], environments: [prod] }
                  - commands: [apply]
                    refs: ["refs/heads/main"]
                    environments: [prod]
                    deny_when: [{ when: 'plan.resources.exists(r, r.type == "aws_db_instance" && "delete" in r.actions)', reason: "no destroy of databases in prod" }]
                    approvals_when: [{ when: 'plan.delete + plan.replace > 0', approvals: 2 }]
            """;

    @TempDir
    static Path dir;

    private ServiceFixture fixture;
    private ManagedChannel channel;
    private PolicyServiceGrpc.PolicyServiceBlockingStub policy;

    @BeforeAll
    void start() throws IOException {
        Path catalog = Files.writeString(dir.resolve("catalog.yaml"), CATALOG);
        fixture = ServiceFixture.start("policy", dir, Map.of("portcullis.policy.catalog-file", catalog.toString()));
        channel = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.GATEWAY));
        policy = PolicyServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        fixture.close();
    }

    private Decision evaluate(EvaluateRequest request) {
        return policy.withDeadlineAfter(10, TimeUnit.SECONDS).evaluate(request).getDecision();
    }

    private static EvaluateRequest.Builder request(String command) {
        return EvaluateRequest.newBuilder().setCaller("spiffe://example.org/ci/infra").setRepo("infra").setCommitSha(SHA)
                .setRef("refs/heads/main").setFolder("prod/db").setEnvironment("prod").setCommand(command);
    }

    private static PlanBinding.Builder binding() {
        return PlanBinding.newBuilder().setPlanRunId("11111111-2222-4333-8444-555555555555").setCommitSha(SHA)
                .setArtifactSha256("a".repeat(64));
    }

    private static PlanSummary deleting(String type) {
        return PlanSummary.newBuilder().setTool(PlanTool.PLAN_TOOL_TERRAFORM).setFormatVersion("1.2")
                .setCounts(PlanChangeCounts.newBuilder().setDelete(1))
                .addChanges(PlanResourceChange.newBuilder().setAddress(type + ".main").setType(type).addActions("delete"))
                .setHasChanges(true).build();
    }

    private static List<String> codes(Decision decision) {
        return decision.getReasonsList().stream().map(DecisionReason::getCode).toList();
    }

    @Test
    void aPlanOfStepsComesBackWithStepsEnvTimeoutAndSummaryTool() {
        Decision decision = evaluate(request("plan").build());

        assertEquals(List.of(CommandStep.newBuilder().addAllArgv(List.of("terraform", "init", "-input=false")).build(),
                CommandStep.newBuilder().addAllArgv(List.of("terraform", "plan", "-input=false", "-detailed-exitcode",
                        "-out=plan.tfplan")).setDetailedExitcode(true).build()), decision.getStepsList());
        assertEquals(List.of(), decision.getArgvList());
        assertEquals(Map.of("TF_IN_AUTOMATION", "1"), decision.getEnvMap());
        assertEquals(45 * 60, decision.getTimeout().getSeconds());
        assertEquals(PlanTool.PLAN_TOOL_TERRAFORM, decision.getPlanSummaryTool());
    }

    @Test
    void aOneStepApplyHasArgvAndOneStepAndNoTimeout() {
        Decision decision = evaluate(request("apply").setPlan(binding().setSummary(deleting("aws_s3_bucket"))).build());

        assertEquals(List.of("terraform", "apply", "plan.tfplan"), decision.getArgvList());
        assertEquals(List.of(CommandStep.newBuilder().addAllArgv(decision.getArgvList()).build()), decision.getStepsList());
        assertEquals(false, decision.hasTimeout());
        assertEquals(PlanTool.PLAN_TOOL_UNSPECIFIED, decision.getPlanSummaryTool());
    }

    @Test
    void anApplyWithoutASummaryIsDeniedSayingSo() {
        Decision decision = evaluate(request("apply").setPlan(binding()).build());

        assertEquals(DecisionOutcome.DECISION_OUTCOME_DENY, decision.getOutcome());
        assertEquals(List.of("PLAN_SUMMARY_MISSING"), codes(decision));
    }

    @Test
    void anApplyThatDestroysADatabaseIsDeniedWithTheRulesReason() {
        Decision decision = evaluate(request("apply").setPlan(binding().setSummary(deleting("aws_db_instance"))).build());

        assertEquals(DecisionOutcome.DECISION_OUTCOME_DENY, decision.getOutcome());
        assertEquals(List.of("PLAN_RULE_DENIED"), codes(decision));
        assertTrue(decision.getReasons(0).getMessage().startsWith("no destroy of databases in prod"), decision.toString());
    }

    @Test
    void anApplyThatDeletesNeedsTheApprovalsTheRuleAsks() {
        Decision decision = evaluate(request("apply").setPlan(binding().setSummary(deleting("aws_s3_bucket"))).build());

        assertEquals(DecisionOutcome.DECISION_OUTCOME_ALLOW, decision.getOutcome());
        assertEquals(2, decision.getRequiredApprovals());
        assertTrue(codes(decision).contains("PLAN_RULE_APPROVALS"), decision.toString());
    }

    @Test
    void aMalformedSummaryIsInvalidArgument() {
        PlanSummary garbage = deleting("aws_s3_bucket").toBuilder().setTool(PlanTool.PLAN_TOOL_UNSPECIFIED).build();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> evaluate(request("apply").setPlan(binding().setSummary(garbage)).build()));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }
}
