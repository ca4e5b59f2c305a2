package dev.portcullis.console.testing;

import com.google.protobuf.Timestamp;
import dev.portcullis.v1.ArtifactRef;
import dev.portcullis.v1.Decision;
import dev.portcullis.v1.DecisionOutcome;
import dev.portcullis.v1.DecisionReason;
import dev.portcullis.v1.PlanChangeCounts;
import dev.portcullis.v1.PlanResourceChange;
import dev.portcullis.v1.PlanSummary;
import dev.portcullis.v1.PlanTool;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunSpec;
import dev.portcullis.v1.RunState;
import java.util.UUID;

/** Runs as the gateway returns them: a finished plan with a summary and artifact, and the apply waiting for approval of it. */
public final class Runs {
    public static final String DIGEST = "ab".repeat(32);

    private Runs() {}

    public static PlanSummary summary() {
        return PlanSummary.newBuilder().setTool(PlanTool.PLAN_TOOL_TERRAFORM).setHasChanges(true)
                .setCounts(PlanChangeCounts.newBuilder().setCreate(2))
                .addChanges(PlanResourceChange.newBuilder().setAddress("terraform_data.a").setType("terraform_data").addActions("create"))
                .addChanges(PlanResourceChange.newBuilder().setAddress("terraform_data.b").setType("terraform_data").addActions("create"))
                .build();
    }

    public static Run plan() {
        return Run.newBuilder().setRunId(UUID.randomUUID().toString()).setSpec(spec("plan")).setRequester("spiffe://test.example/ci/dev/example")
                .setState(RunState.RUN_STATE_SUCCEEDED).setDecision(allow()).setPlanSummary(summary())
                .setPlanArtifact(ArtifactRef.newBuilder().setSha256(DIGEST).setUri("file:///plan").setSizeBytes(10))
                .setCreatedAt(Timestamp.newBuilder().setSeconds(1_780_000_000)).setUpdatedAt(Timestamp.newBuilder().setSeconds(1_780_000_060))
                .build();
    }

    public static Run applyOf(Run plan) {
        return Run.newBuilder().setRunId(UUID.randomUUID().toString())
                .setSpec(spec("apply").toBuilder().setPlanRunId(plan.getRunId()))
                .setRequester("spiffe://test.example/ci/dev/example").setState(RunState.RUN_STATE_AWAITING_APPROVAL)
                .setDecision(allow().toBuilder().setRequiredApprovals(1)).setRequiredApprovals(1).setPlanSummary(summary())
                .setCreatedAt(Timestamp.newBuilder().setSeconds(1_780_000_100)).setUpdatedAt(Timestamp.newBuilder().setSeconds(1_780_000_100))
                .build();
    }

    private static RunSpec spec(String command) {
        return RunSpec.newBuilder().setRepo("example").setCommitSha("c".repeat(40)).setRef("refs/heads/main").setFolder("prod/app")
                .setEnvironment("prod").setCommand(command).build();
    }

    private static Decision allow() {
        return Decision.newBuilder().setOutcome(DecisionOutcome.DECISION_OUTCOME_ALLOW).setCatalogVersion("58fc0d6290c3")
                .addReasons(DecisionReason.newBuilder().setCode("APPROVAL_REQUIRED").setMessage("prod needs one approval")).build();
    }
}
