package dev.portcullis.cli.run;

import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.v1.CheckDriftNowRequest;
import dev.portcullis.v1.CheckDriftNowResponse;
import dev.portcullis.v1.DriftTargetStatus;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.ListDriftTargetsRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis drift status|check}: the catalog's drift targets with what their last check
 * found, and a check of one target now. Lives with the run commands, whose following it shares.
 */
@Command(name = "drift", mixinStandardHelpOptions = true,
        description = "Shows drift targets (ci, approver, auditor or admin identity) and checks one now (admin identity).",
        subcommands = {DriftCommand.Status.class, DriftCommand.Check.class})
public final class DriftCommand {
    private static final long CHECK_SECONDS = 60;

    /** {@code portcullis drift status [--json]}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Prints every drift target with what its last check found, as a table or (--json)",
                "one JSON object per line: target, state, last check, the plan's counts, commit."})
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GatewayConnection gateway;

        @Option(names = "--json",
                description = "JSON lines (portcullis.v1.DriftTargetStatus in protobuf's JSON mapping) instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            List<DriftTargetStatus> targets = gateway.call(stub -> stub.listDriftTargets(
                    ListDriftTargetsRequest.getDefaultInstance()).getTargetsList());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                targets.forEach(target -> out.println(DriftFormat.json(target)));
            } else {
                DriftFormat.tableHeader(out);
                targets.forEach(target -> DriftFormat.tableRow(out, target));
            }
            out.flush();
            return ExitStatus.SUCCESS.code();
        }
    }

    /** {@code portcullis drift check REPO --folder F --env E [--no-follow]}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Checks one drift target now (admin identity) and follows the check like plan does.",
                "Submitted as a scheduled check is (the drift scheduler's identity, policy, lock and",
                "queue); while a check of the target is pending, that check is followed instead.",
                "Exit status as for plan."})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GatewayConnection gateway;

        @Mixin
        ReconnectPolicy reconnect;

        @Mixin
        StatusInterval status;

        @Parameters(index = "0", paramLabel = "REPO", description = "Catalog name of the repository.")
        String repo;

        @Option(names = "--folder", required = true, paramLabel = "PATH", description = "The folder a drift check of the repo lists.")
        String folder;

        @Option(names = {"--env", "--environment"}, required = true, paramLabel = "NAME", description = "Catalog name of the environment.")
        String environment;

        @Option(names = "--no-follow", description = "Print the run id on stdout and exit once the check is accepted (0) or denied (2).")
        boolean noFollow;

        @Override
        public Integer call() {
            FieldParser fields = new FieldParser();
            fields.parse("REPO", repo, CatalogName::new);
            fields.parse("--folder", folder, RepoFolder::parse);
            fields.parse("--env", environment, CatalogName::new);
            fields.throwIfInvalid();
            Duration statusInterval = status.interval();
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            ManagedChannel channel = gateway.open();
            try {
                CheckDriftNowResponse reply = GatewayServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(CHECK_SECONDS, TimeUnit.SECONDS)
                        .checkDriftNow(CheckDriftNowRequest.newBuilder().setRepo(repo).setFolder(folder)
                                .setEnvironment(environment).build());
                Run run = reply.getRun();
                err.printf("portcullis: drift check of %s %s in %s: run %s%s%n", repo, folder, environment, run.getRunId(),
                        reply.getAlreadyPending() ? " (already pending: nothing new was submitted)" : "");
                List<String> decision = RunFormat.decision(run.getDecision());
                if (run.getState() == RunState.RUN_STATE_DENIED) {
                    decision.subList(1, decision.size()).forEach(err::println);
                    err.println("portcullis: run " + run.getRunId() + " is DENIED");
                    err.flush();
                    return ExitStatus.DENIED.code();
                }
                if (noFollow) {
                    err.println("portcullis: " + RunFormat.stateLine(run));
                    err.flush();
                    out.println(run.getRunId());
                    out.flush();
                    return RunOutcome.exitStatus(run.getState()).code();
                }
                err.flush();
                Run ended = new RunFollower(channel, reconnect, statusInterval, out, err).follow(run.getRunId(), 0);
                return RunOutcome.exitStatus(ended.getState()).code();
            } finally {
                channel.shutdownNow();
            }
        }
    }
}
