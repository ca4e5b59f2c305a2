package dev.portcullis.cli.run;

import static dev.portcullis.cli.run.TerraformFolders.commit;
import static dev.portcullis.cli.run.TerraformFolders.resource;
import static dev.portcullis.cli.run.TerraformFolders.writeResources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.testing.TerraformBinary;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
            @COMMANDS@
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
            """.replace("@COMMANDS@\n", TerraformFolders.COMMANDS);

    @TempDir
    Path dir;

    private SuiteFixture suite;
    private CliRuns runs;

    private List<String> stateAddresses(String folder) throws Exception {
        return TerraformFolders.stateAddresses(dir.resolve("state"), folder);
    }

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
        runs = new CliRuns(suite);

        // plan → summary "2 to create"; the apply waits for one approver, who sees the summary
        CliRuns.Result plan = runs.cli("ci", "plan", "--repo", "example", "--commit", first, "--ref", "refs/heads/main",
                "--folder", "prod/app", "--env", "prod");
        assertEquals(0, plan.exit(), plan.err());
        assertTrue(plan.out().contains("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete."), plan.out());
        String planRun = CliRuns.runIdOf(plan);
        String apply = runs.submitApply(first, "prod/app", planRun);
        CliRuns.Result shown = runs.cli("approver", "approve", apply);
        assertEquals(1, shown.exit(), shown.err());
        assertTrue((shown.out() + shown.err()).contains("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete."),
                shown.out() + shown.err());
        runs.approve("approver", apply, planRun);
        suite.awaitState(apply, RunState.RUN_STATE_SUCCEEDED);
        assertEquals(List.of("terraform_data.first", "terraform_data.second"), stateAddresses("prod/app"));

        // the same commit again: nothing to do, said plainly
        CliRuns.Result again = runs.cli("ci", "plan", "--repo", "example", "--commit", first, "--ref", "refs/heads/main",
                "--folder", "prod/app", "--env", "prod");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("No changes."), again.out());

        // the guarded folder applied as well, so that the next commit can try to destroy it
        String guardedPlan = runs.succeededPlan(first, "prod/guarded");
        String guardedApply = runs.submitApply(first, "prod/guarded", guardedPlan);
        runs.approve("approver", guardedApply, guardedPlan);
        suite.awaitState(guardedApply, RunState.RUN_STATE_SUCCEEDED);

        // replace one and delete one: two approvers; destroying the guarded resource: denied
        writeResources(repo.resolve("prod/app"), resource("first", "v2"));
        writeResources(repo.resolve("prod/guarded"), resource("other", "v1"));
        String second = commit(repo, "replace first, delete second and guarded");
        String replacing = runs.succeededPlan(second, "prod/app");
        Run replacingPlan = runs.run(replacing);
        assertEquals(1, replacingPlan.getPlanSummary().getCounts().getReplace());
        assertEquals(1, replacingPlan.getPlanSummary().getCounts().getDelete());
        String twoApprovers = runs.submitApply(second, "prod/app", replacing);
        assertEquals(2, runs.run(twoApprovers).getRequiredApprovals());
        runs.approve("approver", twoApprovers, replacing);
        assertEquals(RunState.RUN_STATE_AWAITING_APPROVAL, runs.run(twoApprovers).getState());
        runs.approve("admin", twoApprovers, replacing);
        suite.awaitState(twoApprovers, RunState.RUN_STATE_SUCCEEDED);
        assertEquals(List.of("terraform_data.first"), stateAddresses("prod/app"));

        String destroying = runs.succeededPlan(second, "prod/guarded");
        CliRuns.Result denied = runs.cli("ci", "apply", "--repo", "example", "--commit", second, "--ref", "refs/heads/main",
                "--folder", "prod/guarded", "--env", "prod", "--plan-run", destroying, "--no-follow");
        assertEquals(2, denied.exit(), denied.out() + denied.err());
        assertTrue(denied.err().contains("terraform_data.guarded is never destroyed"), denied.err());
        assertTrue(denied.err().contains("PLAN_RULE_DENIED"), denied.err());
        assertEquals(List.of("terraform_data.guarded", "terraform_data.other"), stateAddresses("prod/guarded"));
    }
}
