package dev.portcullis.cli.run;

import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.Run;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis approve RUN [--plan-digest D] [--comment C]}. An approval of an apply names
 * the digest of the plan the approver reviewed, and the gateway refuses any other. Without
 * {@code --plan-digest} nothing is approved: the command shows the plan run and its digest and
 * prints the exact line to approve that plan. There is deliberately no "--yes" that fills in the
 * digest, so an approval is never given for a plan nobody named. Either way, for an apply the plan
 * summary (what the plan creates, updates, replaces and deletes) is printed before anything is
 * approved.
 */
@Command(name = "approve", mixinStandardHelpOptions = true,
        description = {"Approves a run awaiting approval (approver identity; never your own run).",
            "For an apply, the plan summary is printed first, and --plan-digest must name the",
            "plan you reviewed; without it the plan is shown and nothing is approved (exit status 1)."})
public final class ApproveCommand implements Callable<Integer> {
    private static final long CALL_SECONDS = 30;

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayConnection gateway;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run id of the run to approve.")
    String runId;

    @Option(names = "--plan-digest", paramLabel = "SHA256", description = "Digest of the plan being applied (64 lowercase hex).")
    String planDigest;

    @Option(names = "--comment", paramLabel = "TEXT", defaultValue = "", description = "Recorded with the approval (at most 1024 characters).")
    String comment;

    @Override
    public Integer call() {
        FieldParser fields = new FieldParser();
        fields.parse("RUN", runId, RunId::new);
        if (planDigest != null) {
            fields.parse("--plan-digest", planDigest, Sha256Digest::new);
        }
        fields.throwIfInvalid();
        RunArguments.text("--comment", comment, 0);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ManagedChannel channel = gateway.open();
        try {
            var stub = GatewayServiceGrpc.newBlockingStub(channel);
            Run run;
            try {
                run = stub.withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS)
                        .getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                    throw e;
                }
                run = Run.getDefaultInstance(); // the approval is refused (and audited) as for any missing run
            }
            if (run.getSpec().hasPlanRunId()) {
                if (planDigest == null) {
                    Run plan = stub.withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS)
                            .getRun(GetRunRequest.newBuilder().setRunId(run.getSpec().getPlanRunId()).build()).getRun();
                    showPlan(err, run, plan);
                    return ExitStatus.ERROR.code();
                }
                // what the approval lets the apply do, read before it is given
                out.printf("run %s applies plan run %s, which would:%n", run.getRunId(), run.getSpec().getPlanRunId());
                RunFormat.planSummary(run).forEach(line -> out.println("  " + line));
                out.flush();
            }
            ApproveRunRequest.Builder request = ApproveRunRequest.newBuilder().setRunId(runId).setComment(comment);
            if (planDigest != null) {
                request.setPlanDigest(planDigest);
            }
            Run approved = stub.withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS).approveRun(request.build()).getRun();
            out.printf("approved run %s (%d of %d approvals); it is %s%n", approved.getRunId(), approved.getApprovalsCount(),
                    approved.getRequiredApprovals(), RunFormat.state(approved.getState()));
            out.flush();
            return ExitStatus.SUCCESS.code();
        } finally {
            channel.shutdownNow();
        }
    }

    private static void showPlan(PrintWriter err, Run run, Run plan) {
        err.printf("portcullis: run %s applies the plan made by run %s:%n", run.getRunId(), plan.getRunId());
        RunFormat.details(plan).forEach(line -> err.println("  " + line));
        err.println("  read the plan:  portcullis runs watch " + plan.getRunId());
        err.println("portcullis: nothing approved. An approval names the plan you reviewed; to approve exactly this plan:");
        err.println("  portcullis approve " + run.getRunId() + " --plan-digest "
                + (plan.hasPlanArtifact() ? plan.getPlanArtifact().getSha256() : "DIGEST   (the plan run has no plan artifact)"));
        err.flush();
    }
}
