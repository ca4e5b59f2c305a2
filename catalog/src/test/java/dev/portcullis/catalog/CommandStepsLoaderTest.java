package dev.portcullis.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.request.CatalogName;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Commands as steps, with env, timeout and summary, as the loader reads and refuses them. */
class CommandStepsLoaderTest {
    private final CatalogLoader loader = new CatalogLoader();

    /** The {@code COMMAND} line is replaced by each test; it is line 5, the command's value starts at column 9. */
    private static final String CATALOG = """
            version: 1
            environments:
              stage: {}
            commands:
              plan: COMMAND
            repos:
              - name: app
                url: https://github.com/acme/app.git
                folders: ["**"]
                callers: ["spiffe://example.org/ci/app"]
                rules:
                  - { commands: [plan], refs: ["refs/heads/*"], environments: [stage] }
            """;

    private Command load(String command) {
        Catalog catalog = loader.load("catalog.yaml", CATALOG.replace("COMMAND", command).getBytes(StandardCharsets.UTF_8));
        return catalog.command(new CatalogName("plan")).orElseThrow();
    }

    private List<CatalogProblem> problems(String command) {
        return assertThrows(CatalogRejectedException.class, () -> loader.load("catalog.yaml",
                CATALOG.replace("COMMAND", command).getBytes(StandardCharsets.UTF_8))).problems();
    }

    @Test
    void argvIsOneStep() {
        Command command = load("{ argv: [\"terraform\", \"plan\"] }");

        assertEquals(List.of(new CommandStep(List.of("terraform", "plan"), false)), command.steps());
        assertEquals(List.of("terraform", "plan"), command.argv());
    }

    @Test
    void stepsAreKeptInOrder() {
        Command command = load("{ steps: [[\"terraform\", \"init\"], [\"terraform\", \"plan\", \"-out=plan.tfplan\"]] }");

        assertEquals(List.of(List.of("terraform", "init"), List.of("terraform", "plan", "-out=plan.tfplan")),
                command.steps().stream().map(CommandStep::argv).toList());
        assertEquals(List.of(), command.argv());
    }

    @Test
    void aStepWithDetailedExitcodeIsMarked() {
        Command command = load("{ steps: [[\"terraform\", \"init\"], [\"terraform\", \"plan\", \"-detailed-exitcode\"]] }");

        assertEquals(List.of(false, true), command.steps().stream().map(CommandStep::detailedExitcode).toList());
    }

    @Test
    void stepsArePlaceholderTemplates() {
        Command command = load("{ steps: [[\"terraform\", \"init\", \"-backend-config=key=${repo}/${folder}\"]],"
                + " env: { DEPLOY_ENVIRONMENT: \"${environment}\" } }");
        Command.Placeholders values = new Command.Placeholders("app", "stage", "stage/net", "plan", "a".repeat(40));

        assertEquals(List.of("terraform", "init", "-backend-config=key=app/stage/net"), command.render(values).get(0).argv());
        assertEquals(Map.of("DEPLOY_ENVIRONMENT", "stage"), command.renderEnv(values));
    }

    @Test
    void envIsKeptInCatalogOrder() {
        Command command = load("{ argv: [\"terraform\"], env: { TF_INPUT: \"0\", TF_IN_AUTOMATION: \"1\", A_B: x } }");

        assertEquals(List.of("TF_INPUT", "TF_IN_AUTOMATION", "A_B"), List.copyOf(command.env().keySet()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            30m    | PT30M
            1h30m  | PT1H30M
            90s    | PT1M30S
            24h    | PT24H
            1s     | PT1S
            """)
    void aTimeoutIsADuration(String written, String expected) {
        Command command = load("{ argv: [\"terraform\"], timeout: " + written + " }");

        assertEquals(Duration.parse(expected), command.timeout());
    }

    @Test
    void aCommandWithoutTimeoutHasNone() {
        assertEquals(Duration.ZERO, load("{ argv: [\"terraform\"] }").timeout());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            terraform | TERRAFORM
            tofu      | TOFU
            """)
    void aPlanCommandMayDeclareItsSummaryTool(String written, PlanSummaryTool expected) {
        Command command = load("{ argv: [\"" + written + "\", \"plan\"], produces: plan.tfplan, summary: " + written + " }");

        assertEquals(expected, command.summary());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            both argv and steps      | { argv: [a], steps: [[a]] }                        | commands.plan.steps        | not both
            neither argv nor steps   | { produces: plan.tfplan }                          | commands.plan.argv         | give argv: (one step) or steps:
            empty steps list         | { steps: [] }                                      | commands.plan.steps        | at least one step
            an empty step            | { steps: [[terraform, init], []] }                 | commands.plan.steps[1]     | at least the program to run
            a step that is no list   | { steps: [terraform] }                             | commands.plan.steps[0]     | must be a list
            unknown step placeholder | { steps: [[terraform, "${token}"]] }               | commands.plan.steps[0]     | unknown placeholder ${token}
            lower-case env name      | { argv: [a], env: { tf_input: '0' } }              | commands.plan.env.tf_input | upper-case letters
            env name with a digit    | { argv: [a], env: { 1TF: '0' } }                   | commands.plan.env.1TF      | not starting with a digit
            env name with a dash     | { argv: [a], env: { TF-INPUT: '0' } }              | commands.plan.env.TF-INPUT | upper-case letters
            env value not a string   | { argv: [a], env: { TF_INPUT: [0] } }              | commands.plan.env.TF_INPUT | single value
            env not a mapping        | { argv: [a], env: [TF_INPUT] }                     | commands.plan.env          | must be a mapping
            unknown env placeholder  | { argv: [a], env: { X: "${secret}" } }             | commands.plan.env.X        | unknown placeholder
            timeout without unit     | { argv: [a], timeout: 30 }                         | commands.plan.timeout      | duration such as
            timeout in days          | { argv: [a], timeout: 2d }                         | commands.plan.timeout      | duration such as
            timeout zero             | { argv: [a], timeout: 0s }                         | commands.plan.timeout      | between 1s and 24h
            timeout over a day       | { argv: [a], timeout: 24h1s }                      | commands.plan.timeout      | between 1s and 24h
            unknown summary tool     | { argv: [a], produces: plan.tfplan, summary: pulumi } | commands.plan.summary   | unknown summary tool 'pulumi'
            summary without produces | { argv: [a], summary: terraform }                  | commands.plan.summary      | needs produces
            """)
    void aMalformedCommandIsRefusedWithItsPlace(String title, String command, String field, String message) {
        List<CatalogProblem> problems = problems(command);

        assertEquals(1, problems.size(), problems.toString());
        CatalogProblem problem = problems.get(0);
        assertEquals(field, problem.field(), problems.toString());
        assertTrue(problem.message().contains(message), problems.toString());
        assertEquals(5, problem.location().line(), problems.toString());
        assertTrue(problem.location().column() >= 9, problems.toString());
        assertTrue(problem.toString().startsWith("catalog.yaml:5:"), problem.toString());
    }

    @Test
    void moreThanSixteenStepsAreRefused() {
        String steps = IntStream.range(0, 17).mapToObj(i -> "[step" + i + "]").collect(Collectors.joining(", ", "[", "]"));

        List<CatalogProblem> problems = problems("{ steps: " + steps + " }");

        assertEquals("commands.plan.steps", problems.get(0).field());
        assertEquals("must have at most 16 entries", problems.get(0).message());
        assertEquals("catalog.yaml:5:18", problems.get(0).location().toString());
    }

    @Test
    void sixteenStepsAreAccepted() {
        String steps = IntStream.range(0, 16).mapToObj(i -> "[step" + i + "]").collect(Collectors.joining(", ", "[", "]"));

        assertEquals(16, load("{ steps: " + steps + " }").steps().size());
    }

    @Test
    void moreThanSixtyFourEnvironmentVariablesAreRefused() {
        String env = IntStream.range(0, 65).mapToObj(i -> "V" + i + ": x").collect(Collectors.joining(", ", "{", "}"));

        List<CatalogProblem> problems = problems("{ argv: [a], env: " + env + " }");

        assertEquals("commands.plan.env", problems.get(0).field());
        assertTrue(problems.get(0).message().contains("at most 64"), problems.toString());
    }

    @Test
    void anEnvValueOverFourKibibytesIsRefused() {
        // 1366 three-byte characters: 4098 bytes in fewer than 4096 characters
        List<CatalogProblem> problems = problems("{ argv: [a], env: { X: \"" + "€".repeat(1366) + "\" } }");

        assertEquals("commands.plan.env.X", problems.get(0).field());
        assertTrue(problems.get(0).message().contains("4096 bytes"), problems.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            AWS access key id      | AKIAIOSFODNN7EXAMPLE
            AWS session key id     | ASIAIOSFODNN7EXAMPLE
            PEM block              | -----BEGIN RSA PRIVATE KEY-----
            GitHub token           | ghp_0123456789abcdefghijABCDEFGHIJ012345
            GitHub fine-grained    | github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz
            Slack bot token        | xoxb-123456789012-abcdefABCDEF
            Slack user token       | xoxp-123456789012-abcdefABCDEF
            JWT                    | eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl
            random base64          | wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
            Vault token            | hvs.CAESIJ0123456789abcdefghijklmnopqrstuv
            """)
    void aSecretLookingEnvValueIsRefused(String title, String value) {
        List<CatalogProblem> problems = problems("{ argv: [a], env: { X: \"" + value + "\" } }");

        assertEquals(1, problems.size(), problems.toString());
        assertEquals("commands.plan.env.X", problems.get(0).field());
        assertTrue(problems.get(0).message().contains("secrets belong in the repo's secrets: grants"), problems.toString());
        assertFalse(problems.get(0).message().contains(value), "the refusal must not repeat the value");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a flag                 | 1
            a path                 | /var/cache/portcullis/terraform-plugin-cache-directory
            CLI arguments          | -parallelism=20 -lock-timeout=5m
            a bucket               | acme-terraform-state-eu-central-1-production
            a commit placeholder   | ${commit_sha}
            a hex digest           | 0123456789abcdef0123456789abcdef0123456789abcdef
            an ARN                 | arn:aws:iam::123456789012:role/TerraformDeployRole
            """)
    void anOrdinaryEnvValueIsAccepted(String title, String value) {
        Command command = load("{ argv: [a], env: { X: \"" + value + "\" } }");

        assertEquals(Map.of("X", value), command.env());
    }
}
