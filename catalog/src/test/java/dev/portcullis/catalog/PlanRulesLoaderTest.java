package dev.portcullis.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.request.CatalogName;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code deny_when} and {@code approvals_when} on catalog rules, as the loader reads and refuses them. */
class PlanRulesLoaderTest {
    private final CatalogLoader loader = new CatalogLoader();

    /** PLAN_RULES is replaced by each test, on line 13 of the apply rule. */
    private static final String CATALOG = """
            version: 1
            environments:
              prod: { approvals: 1 }
            commands:
              plan: { argv: ["terraform", "plan"], produces: plan.tfplan, summary: terraform }
              apply: { argv: ["terraform", "apply", "plan.tfplan"], requires_plan: true, changes_infrastructure: true }
            repos:
              - name: app
                url: https://github.com/acme/app.git
                folders: ["**"]
                callers: ["spiffe://example.org/ci/app"]
                rules:
                  - { commands: [COMMANDS], refs: ["refs/heads/main"], environments: [prod], PLAN_RULES }
            """;

    private static String catalog(String commands, String planRules) {
        return CATALOG.replace("COMMANDS", commands).replace("PLAN_RULES", planRules);
    }

    private Rule rule(String planRules) {
        Catalog catalog = loader.load("catalog.yaml", catalog("apply", planRules).getBytes(StandardCharsets.UTF_8));
        return catalog.repo(new CatalogName("app")).orElseThrow().rules().get(0);
    }

    private List<CatalogProblem> problems(String commands, String planRules) {
        return assertThrows(CatalogRejectedException.class, () -> loader.load("catalog.yaml",
                catalog(commands, planRules).getBytes(StandardCharsets.UTF_8))).problems();
    }

    @Test
    void denyWhenIsReadWithItsReasonAndPlace() {
        Rule rule = rule("deny_when: [{when: 'plan.resources.exists(r, r.type == \"aws_db_instance\" && \"delete\" in r.actions)',"
                + " reason: \"no destroy of databases in prod\"}]");

        PlanRule.Deny deny = rule.denyWhen().get(0);
        assertEquals("no destroy of databases in prod", deny.reason());
        assertEquals("catalog.yaml:13:91", deny.location().toString());
        assertTrue(rule.hasPlanRules());
    }

    @Test
    void approvalsWhenIsReadWithItsCount() {
        Rule rule = rule("approvals_when: [{when: 'plan.delete + plan.replace > 0', approvals: 2}]");

        assertEquals(2, rule.approvalsWhen().get(0).approvals());
        assertEquals("plan.delete + plan.replace > 0", rule.approvalsWhen().get(0).when().expression());
    }

    @Test
    void aRuleWithoutPlanRulesHasNone() {
        Catalog catalog = loader.load("catalog.yaml", catalog("apply", "folders: [\"**\"]").getBytes(StandardCharsets.UTF_8));

        assertFalse(catalog.repo(new CatalogName("app")).orElseThrow().rules().get(0).hasPlanRules());
    }

    @Test
    void aPlanRuleThatDoesNotCompileIsRefusedWithItsPlace() {
        List<CatalogProblem> problems = problems("apply", "deny_when: [{when: 'plan.destroy > 0', reason: x}]");

        assertEquals(1, problems.size(), problems.toString());
        assertEquals("repos[0].rules[0].deny_when[0].when", problems.get(0).field());
        assertEquals("catalog.yaml:13:98", problems.get(0).location().toString());
        assertTrue(problems.get(0).message().contains("undeclared reference to 'plan'"), problems.toString());
    }

    @Test
    void aPlanRuleOverTheRequestIsRefused() {
        List<CatalogProblem> problems = problems("apply", "approvals_when: [{when: 'request.ref == \"x\"', approvals: 2}]");

        assertEquals("repos[0].rules[0].approvals_when[0].when", problems.get(0).field());
    }

    @Test
    void planRulesOnARuleWithoutAnApplyAreRefused() {
        List<CatalogProblem> problems = problems("plan", "deny_when: [{when: 'plan.delete > 0', reason: x}]");

        assertEquals(1, problems.size(), problems.toString());
        assertEquals("repos[0].rules[0].deny_when", problems.get(0).field());
        assertTrue(problems.get(0).message().contains("requires_plan: true"), problems.toString());
        assertEquals(13, problems.get(0).location().line());
    }

    @Test
    void aDenyWhenWithoutAReasonIsRefused() {
        List<CatalogProblem> problems = problems("apply", "deny_when: [{when: 'plan.delete > 0'}]");

        assertEquals("repos[0].rules[0].deny_when[0].reason", problems.get(0).field());
        assertEquals("is required", problems.get(0).message());
    }

    @Test
    void aBlankReasonIsRefused() {
        List<CatalogProblem> problems = problems("apply", "deny_when: [{when: 'plan.delete > 0', reason: ' '}]");

        assertEquals("repos[0].rules[0].deny_when[0].reason", problems.get(0).field());
    }

    @Test
    void approvalsOutsideOneToTenAreRefused() {
        List<CatalogProblem> problems = problems("apply", "approvals_when: [{when: 'plan.delete > 0', approvals: 11}]");

        assertEquals("repos[0].rules[0].approvals_when[0].approvals", problems.get(0).field());
        assertEquals("must be a whole number from 1 to 10", problems.get(0).message());
    }

    @Test
    void anUnknownFieldInAPlanRuleIsRefused() {
        List<CatalogProblem> problems = problems("apply", "deny_when: [{when: 'plan.delete > 0', reason: x, approvals: 2}]");

        assertEquals("repos[0].rules[0].deny_when[0].approvals", problems.get(0).field());
    }
}
