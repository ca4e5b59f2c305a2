package dev.portcullis.cli.run;

import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.v1.CancelRunRequest;
import dev.portcullis.v1.Run;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code portcullis cancel RUN [--reason R]}. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Cancels a run that has not finished; a running task is stopped.",
            "A CI identity may cancel only its own runs. Watchers of the run exit 5.",
            "Exit status 0 cancelled, 1 not (the reason is printed)."})
public final class CancelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GatewayConnection gateway;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id of the run to cancel.")
    String runId;

    @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "", description = "Why; recorded (at most 1024 characters).")
    String reason;

    @Override
    public Integer call() {
        RunArguments.runId("RUN", runId);
        RunArguments.text("--reason", reason, 0);
        Run run = gateway.call(stub -> stub.cancelRun(CancelRunRequest.newBuilder().setRunId(runId).setReason(reason).build()).getRun());
        spec.commandLine().getOut().printf("cancelled run %s; it is %s%n", run.getRunId(), RunFormat.state(run.getState()));
        spec.commandLine().getOut().flush();
        return ExitStatus.SUCCESS.code();
    }
}
