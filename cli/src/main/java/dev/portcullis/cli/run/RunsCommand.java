package dev.portcullis.cli.run;

import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.ListRunsResponse;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis runs list|show|watch}. */
@Command(name = "runs", mixinStandardHelpOptions = true,
        description = "Lists, shows and follows runs (ci, approver, auditor or admin identity).",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Watch.class})
public final class RunsCommand {
    private static final int PAGE_MAX = 500;

    /** {@code portcullis runs list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Prints runs, newest first, as a table or (--json) one JSON object per line.")
    static final class ListRuns implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GatewayConnection gateway;

        @Option(names = "--repo", paramLabel = "NAME") String repo;
        @Option(names = {"--env", "--environment"}, paramLabel = "NAME") String environment;
        @Option(names = "--state", split = ",", paramLabel = "STATE",
                description = "Only these states, e.g. awaiting_approval,running (any case).")
        List<String> states = List.of();
        @Option(names = "--requester", paramLabel = "SPIFFE_ID") String requester;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most this many runs (default: ${DEFAULT-VALUE}).") int limit;
        @Option(names = "--json", description = "JSON lines (portcullis.v1.Run in protobuf's JSON mapping) instead of a table.")
        boolean json;

        @Override
        public Integer call() {
            ListRunsRequest.Builder request = ListRunsRequest.newBuilder();
            FieldParser fields = new FieldParser();
            if (repo != null) {
                fields.parse("--repo", repo, CatalogName::new).ifPresent(name -> request.setRepo(name.value()));
            }
            if (environment != null) {
                fields.parse("--env", environment, CatalogName::new).ifPresent(name -> request.setEnvironment(name.value()));
            }
            if (requester != null) {
                fields.parse("--requester", requester, SpiffeId::new).ifPresent(id -> request.setRequester(id.value()));
            }
            for (String state : states) {
                fields.parse("--state", state, RunsCommand::state).ifPresent(request::addStates);
            }
            if (limit < 1 || limit > 100_000) {
                fields.reject("--limit", "must be between 1 and 100000");
            }
            fields.throwIfInvalid();
            PrintWriter out = spec.commandLine().getOut();
            ManagedChannel channel = gateway.open();
            try {
                int printed = 0;
                String token = "";
                do {
                    ListRunsResponse page = GatewayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                            .listRuns(request.setPageSize(Math.min(limit - printed, PAGE_MAX)).setPageToken(token).build());
                    if (!json && token.isEmpty()) {
                        RunFormat.tableHeader(out); // only once the gateway answered: a failed call prints no empty table
                    }
                    for (Run run : page.getRunsList()) {
                        if (json) {
                            out.println(RunFormat.json(run));
                        } else {
                            RunFormat.tableRow(out, run);
                        }
                        printed++;
                    }
                    token = page.getNextPageToken();
                } while (!token.isEmpty() && printed < limit);
                out.flush();
                return ExitStatus.SUCCESS.code();
            } finally {
                channel.shutdownNow();
            }
        }
    }

    /** {@code portcullis runs show RUN}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Prints one run: spec, decision with reasons, approvals, plan digest, exit code, trace id.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GatewayConnection gateway;

        @Parameters(index = "0", paramLabel = "RUN", description = "Run id of the run to show.") String runId;
        @Option(names = "--json", description = "One JSON object instead of text.") boolean json;

        @Override
        public Integer call() {
            RunArguments.runId("RUN", runId);
            Run run = gateway.call(stub -> stub.getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(RunFormat.json(run));
            } else {
                RunFormat.details(run).forEach(out::println);
            }
            out.flush();
            return ExitStatus.SUCCESS.code();
        }
    }

    /** {@code portcullis runs watch RUN [--from N]}. */
    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = {"Follows a run until it ends.",
                "Log lines on stdout, state changes on stderr; reconnects from the last offset",
                "when the gateway is lost. Exit status as for plan and apply."})
    static final class Watch implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        GatewayConnection gateway;

        @Mixin
        ReconnectPolicy reconnect;

        @Mixin
        StatusInterval status;

        @Parameters(index = "0", paramLabel = "RUN", description = "Run id of the run to follow.") String runId;
        @Option(names = "--from", defaultValue = "0", paramLabel = "OFFSET",
                description = "Offset of the first event to print: 0 for all, or the offset printed when a watch gave up.")
        long from;

        @Override
        public Integer call() {
            RunArguments.runId("RUN", runId);
            if (from < 0) {
                FieldParser fields = new FieldParser();
                fields.reject("--from", "must not be negative");
                fields.throwIfInvalid();
            }
            Duration statusInterval = status.interval();
            ManagedChannel channel = gateway.open();
            try {
                Run ended = new RunFollower(channel, reconnect, statusInterval, spec.commandLine().getOut(),
                        spec.commandLine().getErr())
                        .follow(runId, from);
                return RunOutcome.exitStatus(ended.getState()).code();
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static RunState state(String name) {
        String wanted = "RUN_STATE_" + name.strip().toUpperCase(Locale.ROOT);
        return Arrays.stream(RunState.values())
                .filter(state -> state != RunState.RUN_STATE_UNSPECIFIED && state != RunState.UNRECOGNIZED)
                .filter(state -> state.name().equals(wanted))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("must be one of submitted, denied, awaiting_approval, rejected,"
                        + " expired, queued, running, succeeded, failed, cancelled, timed_out"));
    }
}
