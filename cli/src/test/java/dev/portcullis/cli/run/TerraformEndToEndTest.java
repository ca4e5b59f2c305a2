package dev.portcullis.cli.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.cli.Portcullis;
import dev.portcullis.runtime.testing.TerraformBinary;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Real Terraform through the whole suite, as a CI job and approvers use it with the CLI: a
 * catalog of init/plan/apply steps with a plan summary, plan rules that ask for a second approver
 * when a plan deletes and deny destroying a guarded resource. Skipped with a message when
 * {@code terraform} is not on PATH, except under CI=true, where it fails.
 */
class TerraformEndToEndTest {
    private static final String CATALOG = """
            version: 1
            environments:
              prod:
                approvals: 1
            commands:
              plan:
                steps:
                  - ["terraform", "init", "-input=false", "-no-color", "-backend-config=path=@STATE@/${folder}/terraform.tfstate"]
                  - ["terraform", "plan", "-input=false", "-no-color", "-out=plan.tfplan", "-detailed-exitcode"]
                env: {TF_IN_AUTOMATION: "1", TF_INPUT: "0", TF_CLI_CONFIG_FILE: "/dev/null"}
                produces: plan.tfplan
                summary: terraform
              apply:
                steps:
                  - ["terraform", "init", "-input=false", "-no-color", "-backend-config=path=@STATE@/${folder}/terraform.tfstate"]
                  - ["terraform", "apply", "-input=false", "-no-color", "plan.tfplan"]
                env: {TF_IN_AUTOMATION: "1", TF_INPUT: "0", TF_CLI_CONFIG_FILE: "/dev/null"}
                requires_plan: true
                changes_infrastructure: true
            repos:
              - name: example
                url: file://@REPO@
                folders: ["prod/**"]
                callers: ["spiffe://portcullis.dev/ci/**"]
                rules:
                  - commands: [plan]
                    refs: ["refs/heads/**"]
                    environments: [prod]
                  - commands: [apply]
                    refs: ["refs/heads/main"]
                    environments: [prod]
                    approvals_when:
                      - when: 'plan.delete + plan.replace > 0'
                        approvals: 2
                    deny_when:
                      - when: 'plan.resources.exists(r, r.address == "terraform_data.guarded" && "delete" in r.actions)'
                        reason: "terraform_data.guarded is never destroyed"
            """;

    @TempDir
    Path dir;

    private SuiteFixture suite;

    @AfterEach
    void stop() {
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    void aRealTerraformPlanIsSummarisedApprovedAppliedAndItsDeletesNeedTwoApproversOrAreDenied() throws Exception {
        TerraformBinary.required();
        Path repo = dir.resolve("repo");
        writeResources(repo.resolve("prod/app"), resource("first", "v1"), resource("second", "v1"));
        writeResources(repo.resolve("prod/guarded"), resource("guarded", "v1"), resource("other", "v1"));
        SuiteFixture.git(Files.createDirectories(repo), "init", "-q", "-b", "main");
        String first = commit(repo, "two resources in each folder");
        suite = SuiteFixture.startWith(dir, CATALOG.replace("@STATE@", dir.resolve("state").toString()), repo, first, first);

        // plan → summary "2 to create"; the apply waits for one approver, who sees the summary
        Result plan = cli("ci", "plan", "--repo", "example", "--commit", first, "--ref", "refs/heads/main",
                "--folder", "prod/app", "--env", "prod");
        assertEquals(0, plan.exit(), plan.err());
        assertTrue(plan.out().contains("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete."), plan.out());
        String planRun = runIdOf(plan);
        String apply = submitApply(first, "prod/app", planRun);
        Result shown = cli("approver", "approve", apply);
        assertEquals(1, shown.exit(), shown.err());
        assertTrue((shown.out() + shown.err()).contains("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete."),
                shown.out() + shown.err());
        approve("approver", apply, planRun);
        suite.awaitState(apply, RunState.RUN_STATE_SUCCEEDED);
        assertEquals(List.of("terraform_data.first", "terraform_data.second"), stateAddresses("prod/app"));

        // the same commit again: nothing to do, said plainly
        Result again = cli("ci", "plan", "--repo", "example", "--commit", first, "--ref", "refs/heads/main",
                "--folder", "prod/app", "--env", "prod");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("No changes."), again.out());

        // the guarded folder applied as well, so that the next commit can try to destroy it
        String guardedPlan = succeededPlan(first, "prod/guarded");
        String guardedApply = submitApply(first, "prod/guarded", guardedPlan);
        approve("approver", guardedApply, guardedPlan);
        suite.awaitState(guardedApply, RunState.RUN_STATE_SUCCEEDED);

        // replace one and delete one: two approvers; destroying the guarded resource: denied
        writeResources(repo.resolve("prod/app"), resource("first", "v2"));
        writeResources(repo.resolve("prod/guarded"), resource("other", "v1"));
        String second = commit(repo, "replace first, delete second and guarded");
        String replacing = succeededPlan(second, "prod/app");
        Run replacingPlan = run(replacing);
        assertEquals(1, replacingPlan.getPlanSummary().getCounts().getReplace());
        assertEquals(1, replacingPlan.getPlanSummary().getCounts().getDelete());
        String twoApprovers = submitApply(second, "prod/app", replacing);
        assertEquals(2, run(twoApprovers).getRequiredApprovals());
        approve("approver", twoApprovers, replacing);
        assertEquals(RunState.RUN_STATE_AWAITING_APPROVAL, run(twoApprovers).getState());
        approve("admin", twoApprovers, replacing);
        suite.awaitState(twoApprovers, RunState.RUN_STATE_SUCCEEDED);
        assertEquals(List.of("terraform_data.first"), stateAddresses("prod/app"));

        String destroying = succeededPlan(second, "prod/guarded");
        Result denied = cli("ci", "apply", "--repo", "example", "--commit", second, "--ref", "refs/heads/main",
                "--folder", "prod/guarded", "--env", "prod", "--plan-run", destroying, "--no-follow");
        assertEquals(2, denied.exit(), denied.out() + denied.err());
        assertTrue(denied.err().contains("terraform_data.guarded is never destroyed"), denied.err());
        assertTrue(denied.err().contains("PLAN_RULE_DENIED"), denied.err());
        assertEquals(List.of("terraform_data.guarded", "terraform_data.other"), stateAddresses("prod/guarded"));
    }

    private static String resource(String name, String version) {
        return """
                resource "terraform_data" "%s" {
                  triggers_replace = ["%s"]
                  input            = "%s"
                }
                """.formatted(name, version, name);
    }

    private static void writeResources(Path folder, String... resources) throws Exception {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("main.tf"), "terraform {\n  backend \"local\" {}\n}\n\n" + String.join("\n", resources), UTF_8);
    }

    private static String commit(Path repo, String message) throws Exception {
        SuiteFixture.git(repo, "add", "-A");
        SuiteFixture.git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", message);
        return SuiteFixture.git(repo, "rev-parse", "HEAD");
    }

    private String succeededPlan(String commit, String folder) {
        Result plan = cli("ci", "plan", "--repo", "example", "--commit", commit, "--ref", "refs/heads/main",
                "--folder", folder, "--env", "prod", "--no-follow");
        assertEquals(0, plan.exit(), plan.err());
        String runId = plan.out().strip();
        suite.awaitState(runId, RunState.RUN_STATE_SUCCEEDED);
        return runId;
    }

    private String submitApply(String commit, String folder, String planRun) {
        Result apply = cli("ci", "apply", "--repo", "example", "--commit", commit, "--ref", "refs/heads/main",
                "--folder", folder, "--env", "prod", "--plan-run", planRun, "--no-follow");
        assertEquals(0, apply.exit(), apply.err());
        String runId = apply.out().strip();
        suite.awaitState(runId, RunState.RUN_STATE_AWAITING_APPROVAL);
        return runId;
    }

    private void approve(String member, String apply, String planRun) {
        String digest = run(planRun).getPlanArtifact().getSha256();
        Result approved = cli(member, "approve", apply, "--plan-digest", digest);
        assertEquals(0, approved.exit(), approved.out() + approved.err());
    }

    private Run run(String runId) {
        return suite.gateway("ci").getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun();
    }

    private List<String> stateAddresses(String folder) throws Exception {
        JsonNode state = new ObjectMapper().readTree(dir.resolve("state").resolve(folder).resolve("terraform.tfstate").toFile());
        return StreamSupport.stream(state.get("resources").spliterator(), false)
                .map(resource -> resource.get("type").asText() + "." + resource.get("name").asText()).sorted().toList();
    }

    /** The run id a followed plan printed: the first line of its standard output that is one. */
    private static String runIdOf(Result plan) {
        return plan.out().lines().filter(line -> line.strip().matches("[0-9a-f-]{36}")).findFirst().map(String::strip)
                .orElseGet(() -> plan.err().lines().map(line -> line.replaceAll(".*run ([0-9a-f-]{36}).*", "$1"))
                        .filter(id -> id.matches("[0-9a-f-]{36}")).findFirst().orElseThrow());
    }

    private record Result(int exit, String out, String err) {}

    private Result cli(String member, String... args) {
        List<String> line = new ArrayList<>(List.of(args));
        if (args[0].equals("plan") || args[0].equals("apply")) {
            line.addAll(List.of("--request-key", "test-" + UUID.randomUUID()));
        }
        line.addAll(List.of("--gateway-addr", "localhost:" + suite.dev.ports().get("gateway"),
                "--ca-file", suite.dev.pki().caFile().toString(),
                "--cert-file", suite.dev.pki().certFile(member).toString(),
                "--key-file", suite.dev.pki().keyFile(member).toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = Portcullis.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exit = command.execute(line.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }
}
