package dev.portcullis.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.cli.Portcullis;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine;

/**
 * Runs of repo "example" in {@code prod} driven as a CI job and approvers drive them: through the
 * CLI's commands against a running suite, as the dev identities (ci, approver, admin, auditor).
 * Each plan and apply gets a request key of its own. Not thread-safe: one test's driver.
 */
final class CliRuns {
    private final SuiteFixture suite;

    CliRuns(SuiteFixture suite) {
        this.suite = suite;
    }

    /** What one CLI invocation printed and returned. */
    record Result(int exit, String out, String err) {}

    /** {@code portcullis ARGS} as {@code member}, against the suite's gateway. */
    Result cli(String member, String... args) {
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

    /** A plan of {@code folder} at {@code commit} (on main), awaited to success; its run id. */
    String succeededPlan(String commit, String folder) {
        Result plan = cli("ci", "plan", "--repo", "example", "--commit", commit, "--ref", "refs/heads/main",
                "--folder", folder, "--env", "prod", "--no-follow");
        assertEquals(0, plan.exit(), plan.err());
        String runId = plan.out().strip();
        suite.awaitState(runId, RunState.RUN_STATE_SUCCEEDED);
        return runId;
    }

    /** An apply of {@code planRun}, awaited until it waits for approval; its run id. */
    String submitApply(String commit, String folder, String planRun) {
        Result apply = cli("ci", "apply", "--repo", "example", "--commit", commit, "--ref", "refs/heads/main",
                "--folder", folder, "--env", "prod", "--plan-run", planRun, "--no-follow");
        assertEquals(0, apply.exit(), apply.err());
        String runId = apply.out().strip();
        suite.awaitState(runId, RunState.RUN_STATE_AWAITING_APPROVAL);
        return runId;
    }

    /** {@code member} approves {@code apply}, naming the digest of the plan {@code planRun} wrote. */
    void approve(String member, String apply, String planRun) {
        String digest = run(planRun).getPlanArtifact().getSha256();
        Result approved = cli(member, "approve", apply, "--plan-digest", digest);
        assertEquals(0, approved.exit(), approved.out() + approved.err());
    }

    /** Plans {@code folder} at {@code commit}, applies the plan with one approver, and awaits the apply's success. */
    void planApproveApply(String commit, String folder) {
        String plan = succeededPlan(commit, folder);
        String apply = submitApply(commit, folder, plan);
        approve("approver", apply, plan);
        suite.awaitState(apply, RunState.RUN_STATE_SUCCEEDED);
    }

    Run run(String runId) {
        return suite.gateway("ci").getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun();
    }

    /** The run id a followed plan printed: the first line of its standard output that is one. */
    static String runIdOf(Result plan) {
        return plan.out().lines().filter(line -> line.strip().matches("[0-9a-f-]{36}")).findFirst().map(String::strip)
                .orElseGet(() -> plan.err().lines().map(line -> line.replaceAll(".*run ([0-9a-f-]{36}).*", "$1"))
                        .filter(id -> id.matches("[0-9a-f-]{36}")).findFirst().orElseThrow());
    }
}
