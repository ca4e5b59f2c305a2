package dev.portcullis.cli.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.DriftSchedule;
import dev.portcullis.cli.CliRun;
import dev.portcullis.runtime.testing.TerraformBinary;
import dev.portcullis.v1.DriftState;
import dev.portcullis.v1.DriftTargetStatus;
import dev.portcullis.v1.ListDriftTargetsRequest;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portcullis drift status|check} against the whole suite in dev mode, with real Terraform:
 * a catalog whose drift checks plan three folders of {@code terraform_data} never applied (so a
 * finished check finds "1 to create": drifted). Their scheduled checks are never due while the
 * class runs (every 7d, first due hours after first sight), the gateway records results every
 * second, and each test owns one folder. Fails without {@code terraform} under CI=true.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DriftCommandTest {
    private static final String SCHEDULER = "spiffe://portcullis.dev/portcullis/drift-scheduler";
    private static final List<String> FOLDERS = List.of("prod/followed", "prod/shown", "prod/queued");
    private static final String CATALOG = """
            version: 1
            environments:
              prod:
                approvals: 0
            commands:
              plan:
                steps:
                  - ["terraform", "init", "-input=false", "-no-color", "-backend-config=path=@STATE@/${folder}/terraform.tfstate"]
                  - ["terraform", "plan", "-input=false", "-no-color", "-out=plan.tfplan"]
                env: {TF_IN_AUTOMATION: "1", TF_INPUT: "0", TF_CLI_CONFIG_FILE: "/dev/null"}
                produces: plan.tfplan
                summary: terraform
              slow:
                argv: ["sh", "slow.sh"]
            repos:
              - name: example
                url: file://@REPO@
                folders: ["prod/**"]
                callers: ["spiffe://portcullis.dev/ci/**", "%s"]
                rules:
                  - commands: [plan, slow]
                    refs: ["refs/heads/**"]
                    environments: [prod]
                drift:
                  - { folders: [%s], environments: [prod], command: plan, every: 7d, jitter: 3d }
            """.formatted(SCHEDULER, String.join(", ", FOLDERS));

    @TempDir
    static Path dir;

    private SuiteFixture suite;
    private String head;

    @BeforeAll
    void start() throws Exception {
        TerraformBinary.required();
        new CatalogLoader().load("catalog.yaml", CATALOG.replace("@REPO@", "/repo").getBytes(UTF_8)).driftTargets().forEach(target -> assertTrue(
                DriftSchedule.jitterOffset(target).compareTo(Duration.ofHours(1)) > 0, "due during the test: " + target));
        Path repo = Files.createDirectories(dir.resolve("repo"));
        Path gate = dir.resolve("gate");
        for (String folder : FOLDERS) {
            Path path = Files.createDirectories(repo.resolve(folder));
            Files.writeString(path.resolve("main.tf"), """
                    terraform {
                      backend "local" {}
                    }

                    resource "terraform_data" "app" {
                      input = "v1"
                    }
                    """, UTF_8);
            Files.writeString(path.resolve("slow.sh"), """
                    while [ ! -e "@GATE@" ]; do sleep 0.05; done
                    """.replace("@GATE@", gate.toAbsolutePath().toString()), UTF_8);
        }
        SuiteFixture.git(repo, "init", "-q", "-b", "main");
        SuiteFixture.git(repo, "add", "-A");
        SuiteFixture.git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one resource a folder");
        head = SuiteFixture.git(repo, "rev-parse", "HEAD");
        suite = SuiteFixture.startWith(dir, CATALOG.replace("@STATE@", dir.resolve("state").toString()), repo, head, head,
                Map.of("gateway", Map.of("portcullis.gateway.drift.interval", "1s")));
    }

    @AfterAll
    void stop() {
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    void driftCheckPrintsTheRunAndFollowsTheCheckToItsEnd() {
        CliRun cli = new CliRun();

        int exit = cli.execute(args("admin", "drift", "check", "example", "--folder", "prod/followed", "--env", "prod"));

        assertEquals(0, exit, cli.err());
        String runId = driftRuns("prod/followed").get(0).getRunId();
        assertTrue(cli.err().contains("portcullis: drift check of example prod/followed in prod: run " + runId), cli.err());
        assertTrue(cli.out().contains("Plan: 1 to create, 0 to update, 0 to replace, 0 to delete."), cli.out());
        assertEquals(RunState.RUN_STATE_SUCCEEDED, driftRuns("prod/followed").get(0).getState());
        cli.assertNoStackTrace();
    }

    @Test
    void driftStatusShowsTheStateCountsAndCommitOfTheLastCheck() {
        CliRun check = new CliRun();
        assertEquals(0, check.execute(args("admin", "drift", "check", "example", "--folder", "prod/shown", "--env", "prod",
                "--no-follow")), check.err());
        String runId = check.out().strip();
        awaitState("prod/shown", DriftState.DRIFT_STATE_DRIFTED);
        CliRun status = new CliRun();

        int exit = status.execute(args("auditor", "drift", "status"));

        assertEquals(0, exit, status.err());
        List<String> lines = status.out().lines().toList();
        assertTrue(lines.get(0).matches("TARGET +STATE +LAST CHECK +CREATE +UPDATE +REPLACE +DELETE +DRIFT +COMMIT +NOTE"),
                lines.get(0));
        String row = lines.stream().filter(line -> line.startsWith("example:prod/shown:prod ")).findFirst().orElseThrow();
        assertTrue(row.matches("example:prod/shown:prod +drifted +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +1 +0 +0 +0 +0 +"
                + head.substring(0, 12) + " *"), row);
        assertEquals(runId, targets().stream().filter(t -> t.getFolder().equals("prod/shown")).findFirst().orElseThrow()
                .getResultRunId());
    }

    @Test
    void driftStatusJsonPrintsOneObjectPerTarget() throws Exception {
        CliRun status = new CliRun();

        int exit = status.execute(args("ci", "drift", "status", "--json"));

        assertEquals(0, exit, status.err());
        List<JsonNode> targets = new ArrayList<>();
        for (String line : status.out().lines().toList()) {
            targets.add(new ObjectMapper().readTree(line));
        }
        assertEquals(FOLDERS.stream().sorted().toList(), targets.stream().map(t -> t.get("folder").asText()).toList());
        assertTrue(targets.stream().allMatch(t -> t.get("repo").asText().equals("example")
                && t.get("environment").asText().equals("prod") && t.get("state").asText().startsWith("DRIFT_STATE_")
                && t.has("nextDue")), status.out());
    }

    @Test
    void aSecondCheckWhileTheFirstWaitsInTheQueueIsThatSameCheck() throws Exception {
        Run holding = suite.submit("ci", SuiteFixture.spec(head, "refs/heads/main", "prod/queued", "prod", "slow"));
        suite.awaitState(holding.getRunId(), RunState.RUN_STATE_RUNNING);
        CliRun first = new CliRun();
        assertEquals(0, first.execute(args("admin", "drift", "check", "example", "--folder", "prod/queued", "--env", "prod",
                "--no-follow")), first.err());
        CliRun second = new CliRun();

        int exit = second.execute(args("admin", "drift", "check", "example", "--folder", "prod/queued", "--env", "prod",
                "--no-follow"));

        assertEquals(0, exit, second.err());
        assertEquals(first.out().strip(), second.out().strip());
        assertTrue(second.err().contains("(already pending: nothing new was submitted)"), second.err());
        assertTrue(second.err().contains("is QUEUED"), second.err());
        assertEquals(List.of(first.out().strip()), driftRuns("prod/queued").stream().map(Run::getRunId).toList());
        Files.writeString(dir.resolve("gate"), "open\n", UTF_8);
        suite.awaitState(first.out().strip(), RunState.RUN_STATE_SUCCEEDED);
    }

    @Test
    void driftCheckIsRefusedToACiIdentityWithTheGatewaysReason() {
        CliRun cli = new CliRun();

        int exit = cli.execute(args("ci", "drift", "check", "example", "--folder", "prod/shown", "--env", "prod"));

        assertEquals(1, exit, cli.err());
        assertTrue(cli.err().contains("PERMISSION_DENIED (ROLE_REQUIRED)"), cli.err());
        cli.assertNoStackTrace();
    }

    @Test
    void driftCheckOfAFolderNoDriftCheckListsIsRefusedWithTheGatewaysReason() {
        CliRun cli = new CliRun();

        int exit = cli.execute(args("admin", "drift", "check", "example", "--folder", "prod/elsewhere", "--env", "prod"));

        assertEquals(1, exit, cli.err());
        assertTrue(cli.err().contains("FAILED_PRECONDITION (DRIFT_NOT_SCHEDULED)"), cli.err());
    }

    @Test
    void driftCheckOfARepoTheCatalogLacksIsNotFound() {
        CliRun cli = new CliRun();

        int exit = cli.execute(args("admin", "drift", "check", "nowhere", "--folder", "prod/shown", "--env", "prod"));

        assertEquals(1, exit, cli.err());
        assertTrue(cli.err().contains("NOT_FOUND (DRIFT_TARGET_NOT_FOUND)"), cli.err());
    }

    @Test
    void aMalformedTargetIsAUsageErrorNamingEveryBadOptionAndSendsNothing() {
        CliRun cli = new CliRun();

        int exit = cli.execute(args("admin", "drift", "check", "Not A Repo", "--folder", "../up", "--env", "prod"));

        assertEquals(64, exit, cli.err());
        assertTrue(cli.err().contains("REPO") && cli.err().contains("--folder"), cli.err());
    }

    private String[] args(String member, String... command) {
        List<String> line = new ArrayList<>(List.of(command));
        line.addAll(List.of("--gateway-addr", "localhost:" + suite.dev.ports().get("gateway"),
                "--ca-file", suite.dev.pki().caFile().toString(),
                "--cert-file", suite.dev.pki().certFile(member).toString(),
                "--key-file", suite.dev.pki().keyFile(member).toString()));
        return line.toArray(String[]::new);
    }

    private List<DriftTargetStatus> targets() {
        return suite.gateway("auditor").listDriftTargets(ListDriftTargetsRequest.getDefaultInstance()).getTargetsList();
    }

    private void awaitState(String folder, DriftState state) {
        await("drift target " + folder + " " + state).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> targets().stream().anyMatch(t -> t.getFolder().equals(folder) && t.getState() == state
                        && !t.getCheckPending()));
    }

    private List<Run> driftRuns(String folder) {
        return suite.gateway("auditor").listRuns(ListRunsRequest.newBuilder().setDrift(true).setPageSize(500).build())
                .getRunsList().stream().filter(run -> run.getSpec().getFolder().equals(folder)).toList();
    }
}
