package dev.portcullis.policy.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.ExampleCatalog;
import dev.portcullis.catalog.condition.PlanInput;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.TokenClaims;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Decisions over the example catalog (deploy/examples/catalog.yaml). */
class PolicyEngineTest {
    private static final Catalog CATALOG = ExampleCatalog.load();
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    private static final String INFRA_CI = "spiffe://example.org/ci/github/acme/infra-live";
    private static final String PAYMENTS_CI = "spiffe://example.org/ci/jenkins/payments/nightly";
    /** Tuesday 2026-11-24 10:00 in Berlin (CET, UTC+1): inside prod's window. */
    private static final Instant IN_WINDOW = Instant.parse("2026-11-24T09:00:00Z");

    private static final PlanInput CREATES_ONE = new PlanInput(new PlanInput.Counts(1, 0, 0, 0, 0, 0, 0, 0), true,
            List.of(new PlanInput.PlanResource("aws_s3_bucket.logs", "aws_s3_bucket", List.of("create"))), 0, List.of());

    private static EvaluationRequest request(String caller, String repo, String ref, String folder, String environment,
            String command, boolean withPlan, boolean breakGlass) {
        // the example catalog's applies have plan rules: a plan that creates one resource passes them
        PlanReference plan = withPlan
                ? new PlanReference.Bound(new RunId("11111111-2222-4333-8444-555555555555"), new CommitSha(SHA),
                        new Sha256Digest("a".repeat(64)), CREATES_ONE)
                : new PlanReference.None();
        return new EvaluationRequest(new SpiffeId(caller), new CatalogName(repo), new CommitSha(SHA), new GitRef(ref),
                RepoFolder.parse(folder), new CatalogName(environment), new CatalogName(command), plan, breakGlass);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            plan from a pull request in stage     | infra     | infra-live  | refs/pull/7/head       | stage/net   | stage | plan     | false | false | 2026-11-24T09:00:00Z | ALLOW | RULE_MATCHED
            validate a branch in prod             | infra     | infra-live  | refs/heads/feature-x   | prod/net    | prod  | validate | false | false | 2026-11-24T09:00:00Z | ALLOW | RULE_MATCHED
            apply main in prod inside its window  | infra     | infra-live  | refs/heads/main        | prod/net    | prod  | apply    | true  | false | 2026-11-24T09:00:00Z | ALLOW | RULE_MATCHED APPROVALS_REQUIRED
            unknown repo                          | infra     | infra-dead  | refs/heads/main        | prod/net    | prod  | plan     | false | false | 2026-11-24T09:00:00Z | DENY  | UNKNOWN_REPO
            unknown environment and command       | infra     | infra-live  | refs/heads/main        | prod/net    | qa    | destroy  | false | false | 2026-11-24T09:00:00Z | DENY  | UNKNOWN_ENVIRONMENT UNKNOWN_COMMAND
            caller of another repo                | payments  | infra-live  | refs/heads/main        | prod/net    | prod  | plan     | false | false | 2026-11-24T09:00:00Z | DENY  | CALLER_NOT_ALLOWED
            folder outside the repo's folders     | infra     | infra-live  | refs/heads/main        | modules/vpc | prod  | plan     | false | false | 2026-11-24T09:00:00Z | DENY  | FOLDER_NOT_ALLOWED CONDITION_NOT_MET
            apply from a feature branch           | infra     | infra-live  | refs/heads/feature-x   | prod/net    | prod  | apply    | true  | false | 2026-11-24T09:00:00Z | DENY  | REF_NOT_ALLOWED
            stage folder planned against prod     | infra     | infra-live  | refs/heads/main        | stage/net   | prod  | plan     | false | false | 2026-11-24T09:00:00Z | DENY  | CONDITION_NOT_MET
            apply in prod outside its window      | infra     | infra-live  | refs/heads/main        | prod/net    | prod  | apply    | true  | false | 2026-11-24T19:00:00Z | DENY  | OUTSIDE_CHANGE_WINDOW
            apply in prod on a Saturday           | infra     | infra-live  | refs/heads/main        | prod/net    | prod  | apply    | true  | false | 2026-11-28T10:00:00Z | DENY  | OUTSIDE_CHANGE_WINDOW
            apply without naming the plan         | infra     | infra-live  | refs/heads/main        | prod/net    | prod  | apply    | false | false | 2026-11-24T09:00:00Z | DENY  | PLAN_REQUIRED
            plan that names a plan                | infra     | infra-live  | refs/heads/main        | prod/net    | prod  | plan     | true  | false | 2026-11-24T09:00:00Z | DENY  | PLAN_NOT_EXPECTED
            no rule for apply of payments in prod from main | payments | payments-db | refs/heads/main | migrations | prod  | apply    | true  | false | 2026-11-24T09:00:00Z | DENY  | REF_NOT_ALLOWED
            payments release tag to prod          | payments  | payments-db | refs/tags/release-42   | migrations  | prod  | apply    | true  | false | 2026-11-24T09:00:00Z | ALLOW | RULE_MATCHED APPROVALS_REQUIRED
            payments nested branch plan           | payments  | payments-db | refs/heads/team/x      | migrations  | stage | plan     | false | false | 2026-11-24T09:00:00Z | ALLOW | RULE_MATCHED
            infra nested branch is not refs/heads/* | infra   | infra-live  | refs/heads/team/x      | stage/net   | stage | plan     | false | false | 2026-11-24T09:00:00Z | DENY  | REF_NOT_ALLOWED
            payments validate has no rule         | payments  | payments-db | refs/heads/main        | migrations  | stage | validate | false | false | 2026-11-24T09:00:00Z | DENY  | NO_RULE
            break-glass apply of a branch at night | admin    | infra-live  | refs/heads/hotfix      | prod/net    | prod  | apply    | true  | true  | 2026-11-24T23:00:00Z | ALLOW | RULE_MATCHED BREAK_GLASS
            break-glass never opens another folder | admin    | infra-live  | refs/heads/hotfix      | modules/vpc | prod  | apply    | true  | true  | 2026-11-24T23:00:00Z | DENY  | FOLDER_NOT_ALLOWED CONDITION_NOT_MET
            break-glass never adds a command      | admin     | infra-live  | refs/heads/main        | prod/net    | prod  | destroy  | false | true  | 2026-11-24T23:00:00Z | DENY  | UNKNOWN_COMMAND
            """)
    void decidesEveryRuleKind(String title, String caller, String repo, String ref, String folder, String environment,
            String command, boolean withPlan, boolean breakGlass, String now, String outcome, String codes) {
        String identity = switch (caller) {
            case "infra" -> INFRA_CI;
            case "payments" -> PAYMENTS_CI;
            default -> "spiffe://example.org/human/admin";
        };

        Decision decision = PolicyEngine.decide(CATALOG,
                request(identity, repo, ref, folder, environment, command, withPlan, breakGlass), Instant.parse(now));

        assertEquals(Decision.Outcome.valueOf(outcome), decision.outcome(), decision.reasons().toString());
        assertEquals(Arrays.asList(codes.split(" ")), decision.reasons().stream().map(Decision.Reason::code).toList());
        assertEquals(CATALOG.version(), decision.catalogVersion());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Friday before spring-forward 07:30 CET is closed  | 2026-03-27T06:30:00Z | DENY
            Friday before spring-forward 08:30 CET is open    | 2026-03-27T07:30:00Z | ALLOW
            Monday after spring-forward 08:30 CEST is open    | 2026-03-30T06:30:00Z | ALLOW
            Monday after spring-forward 07:30 CEST is closed  | 2026-03-30T05:30:00Z | DENY
            Friday before fall-back 17:30 CEST is open        | 2026-10-23T15:30:00Z | ALLOW
            Friday before fall-back 18:30 CEST is closed      | 2026-10-23T16:30:00Z | DENY
            Monday after fall-back 17:30 CET is open          | 2026-10-26T16:30:00Z | ALLOW
            Monday after fall-back 18:30 CET is closed        | 2026-10-26T17:30:00Z | DENY
            """)
    void changeWindowsFollowBerlinTimeAcrossDaylightSavingSwitches(String title, String now, String outcome) {
        Decision decision = PolicyEngine.decide(CATALOG,
                request(INFRA_CI, "infra-live", "refs/heads/main", "prod/net", "prod", "apply", true, false),
                Instant.parse(now));

        assertEquals(Decision.Outcome.valueOf(outcome), decision.outcome(), decision.reasons().toString());
    }

    @Test
    void aPlanGetsReadOnlySecretsAndAnApplyGetsDeploySecrets() {
        Decision plan = PolicyEngine.decide(CATALOG,
                request(INFRA_CI, "infra-live", "refs/heads/main", "prod/net", "prod", "plan", false, false), IN_WINDOW);
        Decision apply = PolicyEngine.decide(CATALOG,
                request(INFRA_CI, "infra-live", "refs/heads/main", "prod/net", "prod", "apply", true, false), IN_WINDOW);

        assertEquals(List.of("kv:secret/data/prod/infra-live", "aws:aws/creds/readonly-prod"),
                plan.secretGrants().stream().map(Object::toString).toList());
        assertEquals(List.of("kv:secret/data/prod/infra-live", "aws:aws/creds/deploy-prod"),
                apply.secretGrants().stream().map(Object::toString).toList());
    }

    @Test
    void anAllowedRunCarriesTheRenderedStepsTheRuleAndTheArtifact() {
        Decision decision = PolicyEngine.decide(CATALOG,
                request(INFRA_CI, "infra-live", "refs/heads/main", "stage/net", "stage", "plan", false, false), IN_WINDOW);

        assertEquals(List.of("terraform", "plan", "-input=false", "-no-color", "-var=environment=stage", "-out=plan.tfplan",
                "-detailed-exitcode"), decision.steps().get(1).argv());
        assertTrue(decision.steps().get(0).argv().contains("-backend-config=key=infra-live/stage/net/terraform.tfstate"));
        assertEquals("plan.tfplan", decision.produces());
        assertEquals(0, decision.matchedRule().orElseThrow().rule().index());
        assertEquals(0, decision.requiredApprovals());
    }

    @Test
    void anApplyWhosePlanWasMadeAtAnotherCommitIsDenied() {
        EvaluationRequest base = request(INFRA_CI, "infra-live", "refs/heads/main", "prod/net", "prod", "apply", false, false);
        EvaluationRequest mismatched = new EvaluationRequest(base.caller(), base.repo(), base.commit(), base.ref(),
                base.folder(), base.environment(), base.command(),
                new PlanReference.Bound(new RunId("11111111-2222-4333-8444-555555555555"),
                        new CommitSha("f".repeat(40)), new Sha256Digest("a".repeat(64)), CREATES_ONE), false);

        Decision decision = PolicyEngine.decide(CATALOG, mismatched, IN_WINDOW);

        assertEquals(List.of("PLAN_COMMIT_MISMATCH"), decision.reasons().stream().map(Decision.Reason::code).toList());
    }

    @Test
    void aDenialNamesTheOffendingValues() {
        Decision decision = PolicyEngine.decide(CATALOG,
                request(INFRA_CI, "infra-dead", "refs/heads/main", "prod/net", "prod", "plan", false, false), IN_WINDOW);

        assertTrue(decision.reasons().get(0).message().contains("'infra-dead'"), decision.reasons().toString());
        assertEquals("repo", decision.reasons().get(0).field());
    }

    @Test
    void aConditionDenialNamesTheCatalogLineButNeverTheCatalogFilesPathOnTheServer() {
        Catalog loadedFromDisk = new CatalogLoader().load("/etc/portcullis/private/catalog.yaml",
                ExampleCatalog.text().getBytes(StandardCharsets.UTF_8));

        Decision decision = PolicyEngine.decide(loadedFromDisk,
                request(INFRA_CI, "infra-live", "refs/heads/main", "stage/net", "prod", "plan", false, false), IN_WINDOW);

        Decision.Reason reason = decision.reasons().stream().filter(r -> r.code().equals("CONDITION_NOT_MET")).findFirst()
                .orElseThrow(() -> new AssertionError(decision.reasons().toString()));
        assertTrue(reason.message().contains("catalog line "), reason.message());
        assertFalse(reason.message().contains("/etc/portcullis"), reason.message());
    }

    /** The example catalog with its plan rule's condition on the token's claims instead of the folder. */
    private static Catalog claimsCatalog() {
        String text = ExampleCatalog.text().replaceFirst(
                "when: 'request.folder.startsWith\\(request.environment \\+ \"/\"\\)'",
                "when: 'request.claims.ref_protected == \"true\"'");
        if (text.equals(ExampleCatalog.text())) {
            throw new AssertionError("the example catalog's plan rule changed: adapt this test");
        }
        return new CatalogLoader().load("catalog.yaml", text.getBytes(StandardCharsets.UTF_8));
    }

    private static EvaluationRequest tokenPlan(Map<String, String> claims) {
        EvaluationRequest plan = request(INFRA_CI, "infra-live", "refs/heads/main", "stage/net", "stage", "plan", false, false);
        return new EvaluationRequest(plan.caller(), plan.repo(), plan.commit(), plan.ref(), plan.folder(), plan.environment(),
                plan.command(), plan.plan(), false, new TokenClaims(claims));
    }

    @Test
    void aConditionOnTheTokensClaimsAdmitsATokenWhoseClaimHolds() {
        Decision decision = PolicyEngine.decide(claimsCatalog(), tokenPlan(Map.of("ref_protected", "true")), IN_WINDOW);

        assertEquals(Decision.Outcome.ALLOW, decision.outcome(), decision.reasons().toString());
    }

    @Test
    void aConditionOnTheTokensClaimsDeniesATokenWhoseClaimDiffersWithoutEchoingOtherClaims() {
        String workflow = "acme/deploy/.github/workflows/apply.yml@refs/heads/main";

        Decision decision = PolicyEngine.decide(claimsCatalog(),
                tokenPlan(Map.of("ref_protected", "false", "job_workflow_ref", workflow)), IN_WINDOW);

        assertEquals(Decision.Outcome.DENY, decision.outcome());
        Decision.Reason reason = decision.reasons().stream().filter(r -> r.code().equals("CONDITION_NOT_MET")).findFirst()
                .orElseThrow(() -> new AssertionError(decision.reasons().toString()));
        assertTrue(reason.message().contains("requires request.claims.ref_protected == \"true\""), reason.message());
        assertFalse(reason.message().contains(workflow), reason.message());
        assertFalse(reason.message().contains("false"), reason.message());
    }

    @Test
    void aConditionOnTheTokensClaimsFailsClosedForACertificateCaller() {
        Decision decision = PolicyEngine.decide(claimsCatalog(),
                request(INFRA_CI, "infra-live", "refs/heads/main", "stage/net", "stage", "plan", false, false), IN_WINDOW);

        assertEquals(Decision.Outcome.DENY, decision.outcome());
        Decision.Reason reason = decision.reasons().stream().filter(r -> r.code().equals("CONDITION_NOT_MET")).findFirst()
                .orElseThrow(() -> new AssertionError(decision.reasons().toString()));
        assertTrue(reason.message().contains("could not be evaluated: ATTRIBUTE_NOT_FOUND"), reason.message());
        assertTrue(reason.message().contains("ref_protected"), reason.message());
    }
}
