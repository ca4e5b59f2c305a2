package dev.portcullis.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.portcullis.gateway.client.PlanSummaries;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.Runs;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code Run.plan_summary} as the gateway answers it: the summary an approver reads, absent when there is none. */
class RunPlanSummaryMessageTest {
    private static final Run RUN = Runs.queued(Runs.spec("prod/app", "prod", "plan"), Instant.parse("2026-11-23T10:00:00Z"));

    @Test
    void aRunCarriesThePlanSummaryItIsShownWith() {
        dev.portcullis.v1.Run proto = GatewayGrpcService.toProto(RUN, Optional.of(Runs.SUMMARY));

        assertEquals(PlanSummaries.toProto(Runs.SUMMARY), proto.getPlanSummary());
        assertEquals("Plan: 1 to create, 0 to update, 0 to replace, 1 to delete.", proto.getPlanSummary().getText().lines()
                .findFirst().orElseThrow());
    }

    @Test
    void aRunWithoutSummaryCarriesNone() {
        dev.portcullis.v1.Run proto = GatewayGrpcService.toProto(RUN, Optional.empty());

        assertFalse(proto.hasPlanSummary());
    }

    @Test
    void theDecisionsStepsEnvironmentAndTimeoutAreShown() {
        dev.portcullis.v1.Run proto = GatewayGrpcService.toProto(RUN.toBuilder().decision(Runs.TERRAFORM_PLAN).build(),
                Optional.empty());

        assertEquals(2, proto.getDecision().getStepsCount());
        assertEquals("1", proto.getDecision().getEnvOrThrow("TF_IN_AUTOMATION"));
        assertEquals(1200, proto.getDecision().getTimeout().getSeconds());
        assertEquals(dev.portcullis.v1.PlanTool.PLAN_TOOL_TERRAFORM, proto.getDecision().getPlanSummaryTool());
    }
}
