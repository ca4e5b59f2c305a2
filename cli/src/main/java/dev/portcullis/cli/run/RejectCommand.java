package dev.portcullis.cli.run;

import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.v1.RejectRunRequest;
import dev.portcullis.v1.Run;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis reject RUN --reason R}. */
@Command(name = "reject", mixinStandardHelpOptions = true,
        description = {"Rejects a run awaiting approval (approver identity).",
            "The run ends REJECTED and its watchers exit 3.",
            "Exit status 0 rejected, 1 not (the reason is printed)."})
public final class RejectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayConnection gateway;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id of the run to reject.")
    String runId;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why; shown to the requester (1-1024 characters).")
    String reason;

    @Override
    public Integer call() {
        RunArguments.runId("RUN", runId);
        RunArguments.text("--reason", reason, 1);
        Run run = gateway.call(stub -> stub.rejectRun(RejectRunRequest.newBuilder().setRunId(runId).setReason(reason).build()).getRun());
        spec.commandLine().getOut().printf("rejected run %s; it is %s%n", run.getRunId(), RunFormat.state(run.getState()));
        spec.commandLine().getOut().flush();
        return ExitStatus.SUCCESS.code();
    }
}
