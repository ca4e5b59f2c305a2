package dev.portcullis.policy.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.CommandStep;
import dev.portcullis.catalog.PlanSummaryTool;
import dev.portcullis.catalog.condition.PlanInput;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Decisions on commands as steps, and on applies whose rule has plan rules. */
class PlanRulesDecisionTest {
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    private static final Instant NOW = Instant.parse("2026-11-24T09:00:00Z");
    private static final String CATALOG = """
            version: 1
            environments:
              prod: { approvals: 1 }
            commands:
              plan:
                steps:
                  - ["terraform", "init", "-input=false", "-backend-config=key=${repo}/${folder}"]
                  - ["terraform", "plan", "-input=false", "-detailed-exitcode", "-out=plan.tfplan"]
                env: { TF_IN_AUTOMATION: "1", DEPLOY_ENVIRONMENT: "${environment}" }
                timeout: 30m
                produces: plan.tfplan
                summary: tofu
              apply: { argv: ["terraform", "apply", "plan.tfplan"], requires_plan: true, changes_infrastructure: true }
              apply-unguarded: { argv: ["terraform", "apply", "plan.tfplan"], requires_plan: true, changes_infrastructure: true }
            repos:
              - name: infra
                url: https://github.com/acme/infra.git
                folders: ["prod/**"]
                callers: ["spiffe://example.org/ci/infra"]
                rules:
                  - { commands: [plan, apply-unguarded], refs: ["refs/heads/main"], environments: [prod] }
                  - commands: [apply]
                    refs: ["refs/heads/main"]
                    environments: [prod]
                    deny_when:
                      - { when: 'plan.resources.exists(r, r.type == "aws_db_instance" && "delete" in r.actions)', reason: "no destroy of databases in prod" }
                    approvals_when:
                      - { when: 'plan.delete + plan.replace > 0', approvals: 2 }
                      - { when: 'plan.delete > 2', approvals: 3 }
            """;
    private static final Catalog LOADED =
            new CatalogLoader().load("catalog.yaml", CATALOG.getBytes(StandardCharsets.UTF_8));

    private static PlanInput plan(List<PlanInput.PlanResource> resources, long delete, long replace) {
        return new PlanInput(new PlanInput.Counts(resources.size() - delete - replace, 0, delete, replace, 0, 0, 0, 0),
                !resources.isEmpty(), resources, 0, List.of());
    }

    private static PlanInput.PlanResource resource(String type, String... actions) {
        return new PlanInput.PlanResource(type + ".main", type, List.of(actions));
    }

    private static EvaluationRequest request(String command, PlanReference plan) {
        return new EvaluationRequest(new SpiffeId("spiffe://example.org/ci/infra"), new CatalogName("infra"),
                new CommitSha(SHA), new GitRef("refs/heads/main"), RepoFolder.parse("prod/db"), new CatalogName("prod"),
                new CatalogName(command), plan, false);
    }

    private static PlanReference.Bound bound(PlanInput summary) {
        return new PlanReference.Bound(new RunId("11111111-2222-4333-8444-555555555555"), new CommitSha(SHA),
                new Sha256Digest("a".repeat(64)), summary);
    }

    private static PlanReference.Bound boundWithoutSummary() {
        return new PlanReference.Bound(new RunId("11111111-2222-4333-8444-555555555555"), new CommitSha(SHA),
                new Sha256Digest("a".repeat(64)));
    }

    private static List<String> codes(Decision decision) {
        return decision.reasons().stream().map(Decision.Reason::code).toList();
    }

    @Test
    void aCommandOfStepsIsRenderedStepByStepWithoutArgv() {
        Decision decision = PolicyEngine.decide(LOADED, request("plan", new PlanReference.None()), NOW);

        assertEquals(List.of(new CommandStep(List.of("terraform", "init", "-input=false", "-backend-config=key=infra/prod/db"), false),
                new CommandStep(List.of("terraform", "plan", "-input=false", "-detailed-exitcode", "-out=plan.tfplan"), true)),
                decision.steps());
        assertEquals(List.of(), decision.argv());
    }

    @Test
    void theCommandsEnvTimeoutAndSummaryToolComeWithTheDecision() {
        Decision decision = PolicyEngine.decide(LOADED, request("plan", new PlanReference.None()), NOW);

        assertEquals(Map.of("TF_IN_AUTOMATION", "1", "DEPLOY_ENVIRONMENT", "prod"), decision.env());
        assertEquals(Duration.ofMinutes(30), decision.timeout());
        assertEquals(PlanSummaryTool.TOFU, decision.planSummaryTool());
    }

    @Test
    void aOneStepCommandHasItsArgvAsTheOneStep() {
        Decision decision = PolicyEngine.decide(LOADED, request("apply-unguarded", boundWithoutSummary()), NOW);

        assertEquals(List.of("terraform", "apply", "plan.tfplan"), decision.argv());
        assertEquals(List.of(new CommandStep(decision.argv(), false)), decision.steps());
        assertEquals(Duration.ZERO, decision.timeout());
    }

    @Test
    void anApplyWithoutPlanRulesNeedsNoSummary() {
        Decision decision = PolicyEngine.decide(LOADED, request("apply-unguarded", boundWithoutSummary()), NOW);

        assertTrue(decision.allowed(), decision.reasons().toString());
    }

    @Test
    void anApplyWhosePlanHasNoSummaryIsDeniedWhenItsRuleHasPlanRules() {
        Decision decision = PolicyEngine.decide(LOADED, request("apply", boundWithoutSummary()), NOW);

        assertEquals(List.of("PLAN_SUMMARY_MISSING"), codes(decision));
        assertTrue(decision.reasons().get(0).message().contains("the plan command must declare summary:"),
                decision.reasons().toString());
    }

    @Test
    void aMatchingDenyWhenDeniesNamingItsReasonAndPlace() {
        PlanInput summary = plan(List.of(resource("aws_db_instance", "delete")), 1, 0);

        Decision decision = PolicyEngine.decide(LOADED, request("apply", bound(summary)), NOW);

        assertEquals(List.of("PLAN_RULE_DENIED"), codes(decision));
        String message = decision.reasons().get(0).message();
        assertTrue(message.startsWith("no destroy of databases in prod (deny_when of rule 1 of repo 'infra' at catalog line 22:"),
                message);
        assertTrue(message.contains("entry at catalog line 26:"), message);
        assertEquals("plan.summary", decision.reasons().get(0).field());
    }

    @Test
    void aDenyWhenCountsReplacesOfDatabasesAsDeletes() {
        PlanInput summary = plan(List.of(resource("aws_db_instance", "create", "delete")), 0, 1);

        Decision decision = PolicyEngine.decide(LOADED, request("apply", bound(summary)), NOW);

        assertEquals(List.of("PLAN_RULE_DENIED"), codes(decision));
    }

    @Test
    void aMatchingApprovalsWhenRaisesTheRequiredApprovals() {
        PlanInput summary = plan(List.of(resource("aws_s3_bucket", "delete")), 1, 0);

        Decision decision = PolicyEngine.decide(LOADED, request("apply", bound(summary)), NOW);

        assertTrue(decision.allowed(), decision.reasons().toString());
        assertEquals(2, decision.requiredApprovals());
        assertEquals(List.of("RULE_MATCHED", "APPROVALS_REQUIRED", "PLAN_RULE_APPROVALS"), codes(decision));
        assertTrue(decision.reasons().get(2).message().startsWith("2 approval(s) required because the plan matches"
                + " plan.delete + plan.replace > 0"), decision.reasons().toString());
    }

    @Test
    void theHighestMatchingApprovalsWin() {
        PlanInput summary = plan(List.of(resource("aws_s3_bucket", "delete"), resource("aws_iam_role", "delete"),
                resource("aws_sqs_queue", "delete")), 3, 0);

        Decision decision = PolicyEngine.decide(LOADED, request("apply", bound(summary)), NOW);

        assertEquals(3, decision.requiredApprovals());
        assertEquals(List.of("RULE_MATCHED", "APPROVALS_REQUIRED", "PLAN_RULE_APPROVALS", "PLAN_RULE_APPROVALS"), codes(decision));
    }

    @Test
    void aPlanThatMatchesNoPlanRuleKeepsTheEnvironmentsApprovals() {
        PlanInput summary = plan(List.of(resource("terraform_data", "create")), 0, 0);

        Decision decision = PolicyEngine.decide(LOADED, request("apply", bound(summary)), NOW);

        assertTrue(decision.allowed(), decision.reasons().toString());
        assertEquals(1, decision.requiredApprovals());
    }

    @Test
    void aPlanRuleThatCannotBeEvaluatedDenies() {
        PlanInput partial = new PlanInput(new PlanInput.Counts(150, 0, 0, 0, 0, 0, 0, 0), true,
                List.of(resource("terraform_data", "create")), 149, List.of());

        Decision decision = PolicyEngine.decide(LOADED, request("apply", bound(partial)), NOW);

        assertEquals(List.of("PLAN_RULE_DENIED"), codes(decision));
        assertTrue(decision.reasons().get(0).message().contains("could not be evaluated"), decision.reasons().toString());
    }

    @Test
    void breakGlassSkipsApprovalsWhenButNotDenyWhen() {
        PlanInput summary = plan(List.of(resource("aws_db_instance", "delete")), 1, 0);
        EvaluationRequest breakGlass = new EvaluationRequest(new SpiffeId("spiffe://example.org/human/admin"),
                new CatalogName("infra"), new CommitSha(SHA), new GitRef("refs/heads/hotfix"), RepoFolder.parse("prod/db"),
                new CatalogName("prod"), new CatalogName("apply"), bound(summary), true);

        Decision decision = PolicyEngine.decide(LOADED, breakGlass, NOW);

        assertEquals(List.of("PLAN_RULE_DENIED"), codes(decision));
    }

    @Test
    void breakGlassAppliesAPlanThatOnlyApprovalsWhenWouldHold() {
        PlanInput summary = plan(List.of(resource("aws_s3_bucket", "delete")), 1, 0);
        EvaluationRequest breakGlass = new EvaluationRequest(new SpiffeId("spiffe://example.org/human/admin"),
                new CatalogName("infra"), new CommitSha(SHA), new GitRef("refs/heads/hotfix"), RepoFolder.parse("prod/db"),
                new CatalogName("prod"), new CatalogName("apply"), bound(summary), true);

        Decision decision = PolicyEngine.decide(LOADED, breakGlass, NOW);

        assertTrue(decision.allowed(), decision.reasons().toString());
        assertEquals(0, decision.requiredApprovals());
    }

    @Test
    void aDenialCarriesNoStepsEnvOrTimeout() {
        Decision decision = PolicyEngine.decide(LOADED, request("apply", boundWithoutSummary()), NOW);

        assertEquals(List.of(), decision.steps());
        assertEquals(Map.of(), decision.env());
        assertEquals(Duration.ZERO, decision.timeout());
        assertEquals(PlanSummaryTool.NONE, decision.planSummaryTool());
    }
}
