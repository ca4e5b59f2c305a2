package dev.portcullis.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.request.CatalogName;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CatalogLoaderTest {
    private final CatalogLoader loader = new CatalogLoader();

    private static final String MINIMAL = """
            version: 1
            environments:
              stage: {}
            commands:
              plan: { argv: ["terraform", "plan"] }
            repos:
              - name: app
                url: https://github.com/acme/app.git
                folders: ["**"]
                callers: ["spiffe://example.org/ci/app"]
                rules:
                  - { commands: [plan], refs: ["refs/heads/*"], environments: [stage] }
            """;

    private List<CatalogProblem> problems(String yaml) {
        return assertThrows(CatalogRejectedException.class,
                () -> loader.load("catalog.yaml", yaml.getBytes(StandardCharsets.UTF_8))).problems();
    }

    @Test
    void theExampleCatalogLoads() {
        Catalog catalog = ExampleCatalog.load();

        assertEquals(2, catalog.repos().size());
        assertEquals(1, catalog.environment(new CatalogName("prod")).orElseThrow().approvals());
        assertTrue(catalog.command(new CatalogName("apply")).orElseThrow().requiresPlan());
    }

    @Test
    void theVersionIsTheSha256OfTheContent() {
        Catalog catalog = loader.load("c.yaml", MINIMAL.getBytes(StandardCharsets.UTF_8));

        assertEquals(CatalogLoader.digest(MINIMAL.getBytes(StandardCharsets.UTF_8)), catalog.version());
        assertEquals(64, catalog.version().value().length());
    }

    @Test
    void aMisspelledFieldIsAnErrorWithItsLineAndColumn() {
        List<CatalogProblem> problems = problems(MINIMAL.replace("stage: {}", "stage: { aprovals: 2 }"));

        assertEquals(1, problems.size(), problems.toString());
        CatalogProblem problem = problems.get(0);
        assertEquals(3, problem.location().line());
        assertEquals(12, problem.location().column());
        assertEquals("environments.stage.aprovals", problem.field());
        assertTrue(problem.message().contains("unknown field 'aprovals'"), problem.message());
    }

    @Test
    void everyProblemIsReportedNotOnlyTheFirst() {
        List<CatalogProblem> problems = problems(MINIMAL
                .replace("commands: [plan]", "commands: [plna]")
                .replace("environments: [stage]", "environments: [staging]")
                .replace("refs/heads/*", "refs/heads/a..b")
                .replace("spiffe://example.org/ci/app", "spiffe://*/ci/app"));

        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.message().equals("unknown command 'plna'")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.message().equals("unknown environment 'staging'")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.field().equals("repos[0].rules[0].refs[0]")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.field().equals("repos[0].callers[0]")), problems.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            folder escaping the repo      | folders: ["**"]                         | folders: ["../**"]                        | repos[0].folders[0]
            partial wildcard folder       | folders: ["**"]                         | folders: ["st*"]                          | repos[0].folders[0]
            missing callers               | callers: ["spiffe://example.org/ci/app"] | owners: []                                | repos[0].owners
            http url                      | url: https://github.com/acme/app.git    | url: http://github.com/acme/app.git       | repos[0].url
            version 2                     | version: 1                              | version: 2                                | version
            produces a path               | argv: ["terraform", "plan"]             | argv: ["terraform", "plan"], produces: ../x | commands.plan.produces
            unknown placeholder           | argv: ["terraform", "plan"]             | argv: ["terraform", "${secret}"]          | commands.plan.argv
            bad secret                    | rules:                                  | secrets: { stage: { plan: ["vault:x"] } }\\n    rules: | repos[0].secrets.stage.plan[0]
            secret with a '.' segment     | rules:                                  | secrets: { stage: { plan: ["kv:secret/./x"] } }\\n    rules: | repos[0].secrets.stage.plan[0]
            ref wildcard in a component   | refs: ["refs/heads/*"]                  | refs: ["refs/heads/a..*"]                 | repos[0].rules[0].refs[0]
            """)
    void aBadValueIsRefusedNamingItsField(String title, String from, String to, String field) {
        List<CatalogProblem> problems = problems(MINIMAL.replace(from, to.replace("\\n", "\n")));

        assertTrue(problems.stream().anyMatch(p -> p.field().equals(field)), problems.toString());
    }

    @Test
    void aRepoDefinedTwiceIsRefused() {
        String repo = MINIMAL.substring(MINIMAL.indexOf("  - name: app"));

        List<CatalogProblem> problems = problems(MINIMAL + repo);

        assertTrue(problems.stream().anyMatch(p -> p.message().contains("defined twice")), problems.toString());
    }

    @Test
    void yamlAnchorsAndAliasesAreRefused() {
        List<CatalogProblem> problems = problems(MINIMAL
                .replace("folders: [\"**\"]", "folders: &f [\"**\"]")
                + "  - name: other\n    url: https://github.com/acme/other.git\n    folders: *f\n"
                + "    callers: []\n    rules: []\n");

        assertTrue(problems.stream().anyMatch(p -> p.message().contains("anchors")), problems.toString());
    }

    @Test
    void brokenYamlIsRefusedWithItsPosition() {
        List<CatalogProblem> problems = problems("version: 1\nenvironments: [unclosed\n");

        assertEquals(1, problems.size());
        assertTrue(problems.get(0).message().startsWith("not valid YAML"), problems.toString());
        assertTrue(problems.get(0).location().line() >= 2, problems.toString());
    }

    @Test
    void anUnclosedQuoteIsReportedWhereItOpens() {
        List<CatalogProblem> problems = problems("version: 1\nenvironments:\n  - name: \"prod\n  - name: stage\n");

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).message().contains("quoted scalar that starts at 3:11"), problems.toString());
    }

    @Test
    void aCatalogLargerThanOneMebibyteIsRefused() {
        byte[] huge = new byte[CatalogLoader.MAX_BYTES + 1];
        java.util.Arrays.fill(huge, (byte) '#');

        CatalogRejectedException e = assertThrows(CatalogRejectedException.class, () -> loader.load("c.yaml", huge));

        assertTrue(e.problems().get(0).message().contains("larger than"), e.problems().toString());
    }

    @Test
    void aBadChangeWindowAndABadConditionAreRefused() {
        List<CatalogProblem> problems = problems(MINIMAL
                .replace("stage: {}", "stage: { change_windows: [\"Mon-Fri 08:00-18:00 Mars/Olympus\"] }")
                .replace("environments: [stage] }", "environments: [stage], when: 'request.ref +' }"));

        assertTrue(problems.stream().anyMatch(p -> p.field().equals("environments.stage.change_windows[0]")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.field().equals("repos[0].rules[0].when")), problems.toString());
    }

    @Test
    void conditionsOnTheTokensClaimsLoadAndAClaimComparedWithABoolIsRefused() {
        String rule = String.join("\n",
                "      - commands: [plan]",
                "        refs: [\"refs/heads/*\"]",
                "        environments: [stage]",
                "        when:",
                "          - 'request.claims.ref_protected == \"true\"'",
                "          - 'request.claims.job_workflow_ref.startsWith(\"acme/deploy/.github/workflows/apply.yml@\")'",
                "");
        String withClaims = MINIMAL.replace("      - { commands: [plan], refs: [\"refs/heads/*\"], environments: [stage] }\n", rule);

        Catalog catalog = loader.load("catalog.yaml", withClaims.getBytes(StandardCharsets.UTF_8));
        List<CatalogProblem> problems = problems(withClaims.replace("== \"true\"'", "== true'"));

        assertEquals(2, catalog.repo(new CatalogName("app")).orElseThrow().rules().get(0).conditions().size());
        assertEquals(List.of("repos[0].rules[0].when[0]"), problems.stream().map(CatalogProblem::field).toList());
    }

    @Test
    void anEmptyFileIsRefused() {
        List<CatalogProblem> problems = problems("");

        assertEquals("the catalog is empty", problems.get(0).message());
    }

    @Test
    void aSecretGrantIsReadWithTheExecutorsMeaning() {
        Catalog catalog = loader.load("catalog.yaml", MINIMAL.replace("    rules:",
                "    secrets: { stage: { plan: [\"kv:secret/data/stage/app\", \"aws:aws/creds/read.only\"] } }\n    rules:")
                .getBytes(StandardCharsets.UTF_8));

        assertEquals(List.of(new SecretGrant(SecretGrant.Kind.KV, "secret/data/stage/app"),
                        new SecretGrant(SecretGrant.Kind.AWS, "aws/creds/read.only")),
                catalog.repo(new CatalogName("app")).orElseThrow().secretsFor(new CatalogName("stage"), new CatalogName("plan")));
    }
}
