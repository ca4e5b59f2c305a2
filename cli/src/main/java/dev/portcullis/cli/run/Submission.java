package dev.portcullis.cli.run;

import dev.portcullis.cli.call.CallFailure;
import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunSpec;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.SubmitRunRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * What {@code plan} and {@code apply} share: the run's coordinates, the idempotency key,
 * break-glass, and submitting then following the run. Options are checked here first, so a
 * malformed value never reaches the gateway and every bad option is named at once.
 */
final class Submission {
    private static final long SUBMIT_SECONDS = 60;

    @Option(names = "--repo", required = true, paramLabel = "NAME", description = "Catalog name of the repository.")
    String repo;

    @Option(names = "--commit", required = true, paramLabel = "SHA",
            description = "Full commit SHA, 40 lowercase hex characters (e.g. $GITHUB_SHA, $CI_COMMIT_SHA, $GIT_COMMIT).")
    String commit;

    @Option(names = "--ref", required = true, paramLabel = "REF",
            description = "Full git ref the CI built from, e.g. refs/heads/main or refs/pull/12/head.")
    String ref;

    @Option(names = "--folder", required = true, paramLabel = "PATH", description = "Folder in the repository, e.g. prod/app.")
    String folder;

    @Option(names = {"--env", "--environment"}, required = true, paramLabel = "NAME", description = "Catalog name of the environment.")
    String environment;

    @Option(names = "--request-key", paramLabel = "KEY",
            description = {"Idempotency key, 1-128 of A-Z a-z 0-9 . _ : - (a retry with the same key returns the same run).",
                "Default: from the CI job (GITHUB_RUN_ID+GITHUB_RUN_ATTEMPT, CI_JOB_ID, BUILD_TAG) and the request; random outside CI."})
    String requestKey;

    @Option(names = "--break-glass", paramLabel = "JUSTIFICATION",
            description = "Admins only: skip approvals and ref rules, saying why (20-2048 characters). Always audited and alerted.")
    String breakGlass;

    @Option(names = "--no-follow", description = "Print the run id on stdout and exit once the run is accepted (0) or denied (2).")
    boolean noFollow;

    @Mixin
    GatewayConnection gateway;

    @Mixin
    ReconnectPolicy reconnect;

    @Mixin
    StatusInterval status;

    /** Submits {@code command} and, unless --no-follow, follows the run to its end; returns the exit status. */
    int submit(CommandSpec command, String commandName, Optional<String> planRun) {
        RunSpec spec = parse(commandName, planRun);
        Duration statusInterval = status.interval();
        String key = requestKey != null ? requestKey : RequestKey.derive(System.getenv(), spec, breakGlass == null ? "" : breakGlass);
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        ManagedChannel channel = gateway.open();
        try {
            SubmitRunRequest.Builder request = SubmitRunRequest.newBuilder().setSpec(spec).setRequestKey(key);
            if (breakGlass != null) {
                request.setBreakGlassJustification(breakGlass);
            }
            err.printf("portcullis: submitting %s of %s %s for %s at %s (%s), request key %s%n", commandName, spec.getRepo(),
                    spec.getFolder(), spec.getEnvironment(), spec.getCommitSha(), spec.getRef(), key);
            err.flush();
            Run run = submit(channel, request.build(), err);
            List<String> decision = RunFormat.decision(run.getDecision());
            err.println("portcullis: run " + run.getRunId() + ": " + decision.get(0));
            err.flush();
            if (run.getState() == RunState.RUN_STATE_DENIED) {
                decision.subList(1, decision.size()).forEach(err::println); // every reason, not only the first
                err.println("portcullis: run " + run.getRunId() + " is DENIED");
                err.flush();
                return ExitStatus.DENIED.code();
            }
            RunFollower follower = new RunFollower(channel, reconnect, statusInterval, out, err);
            if (noFollow) {
                err.println("portcullis: " + RunFormat.stateLine(run));
                if (run.getState() == RunState.RUN_STATE_AWAITING_APPROVAL) {
                    follower.printApprovalHint(run);
                }
                err.flush();
                out.println(run.getRunId());
                out.flush();
                return RunOutcome.exitStatus(run.getState()).code();
            }
            Run ended = follower.follow(run.getRunId(), 0);
            return RunOutcome.exitStatus(ended.getState()).code();
        } finally {
            channel.shutdownNow();
        }
    }

    private RunSpec parse(String commandName, Optional<String> planRun) {
        FieldParser fields = new FieldParser();
        fields.parse("--repo", repo, CatalogName::new);
        fields.parse("--commit", commit, CommitSha::new);
        fields.parse("--ref", ref, GitRef::new);
        fields.parse("--folder", folder, RepoFolder::parse);
        fields.parse("--env", environment, CatalogName::new);
        planRun.ifPresent(id -> fields.parse("--plan-run", id, RunId::new));
        if (requestKey != null && !RequestKey.FORM.matcher(requestKey).matches()) {
            fields.reject("--request-key", "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':', '-'");
        }
        if (breakGlass != null && (breakGlass.strip().length() < 20 || breakGlass.length() > 2048)) {
            fields.reject("--break-glass", "the justification must be 20-2048 characters saying why");
        }
        fields.throwIfInvalid();
        RunSpec.Builder spec = RunSpec.newBuilder().setRepo(repo).setCommitSha(commit).setRef(ref).setFolder(folder)
                .setEnvironment(environment).setCommand(commandName);
        planRun.ifPresent(spec::setPlanRunId);
        return spec.build();
    }

    /** SubmitRun, retried with the same key while the gateway is unreachable: the key makes a retry safe. */
    private Run submit(ManagedChannel channel, SubmitRunRequest request, PrintWriter err) {
        int attempts = reconnect.attempts();
        for (int failures = 0; ; failures++) {
            try {
                return GatewayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(SUBMIT_SECONDS, TimeUnit.SECONDS)
                        .submitRun(request).getRun();
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if ((code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) || failures >= attempts) {
                    throw e;
                }
                Duration wait = reconnect.backoff(failures + 1);
                err.printf("portcullis: submit failed (%s); retrying in %d s with the same request key (attempt %d of %d)%n",
                        CallFailure.describe(e), wait.toSeconds(), failures + 1, attempts);
                err.flush();
                reconnect.pause(wait);
            }
        }
    }
}
