package dev.portcullis.executor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.executor.plan.PlanSummary;
import dev.portcullis.executor.plan.PlanTool;
import dev.portcullis.executor.plan.TerraformPlanJson;
import dev.portcullis.executor.task.SummarisedPlan;
import dev.portcullis.v1.PlanChangeCounts;
import dev.portcullis.v1.PlanResourceChange;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A derived plan summary as the executor sends it on {@code Task.plan_summary}. */
class PlanMessagesTest {
    private static PlanSummary fixture(String name) throws Exception {
        try (InputStream in = PlanMessagesTest.class.getResourceAsStream("/dev/portcullis/executor/plan/" + name + ".json")) {
            return new TerraformPlanJson().summarise(in);
        }
    }

    @Test
    void aSummaryIsSentWithItsToolCountsChangesInTerraformsWordsAndText() throws Exception {
        PlanSummary summary = fixture("create-before-destroy");

        dev.portcullis.v1.PlanSummary proto = PlanMessages.toProto(new SummarisedPlan(PlanTool.TOFU, summary));

        assertEquals(dev.portcullis.v1.PlanTool.PLAN_TOOL_TOFU, proto.getTool());
        assertEquals(summary.formatVersion(), proto.getFormatVersion());
        assertEquals(PlanChangeCounts.newBuilder().setReplace(summary.counts().replace()).setNoOp(summary.counts().noOp())
                .setCreate(summary.counts().create()).setUpdate(summary.counts().update())
                .setDelete(summary.counts().delete()).build(), proto.getCounts());
        PlanResourceChange first = proto.getChanges(0);
        assertEquals(List.of("create", "delete"), first.getActionsList());
        assertEquals(summary.changes().get(0).address(), first.getAddress());
        assertEquals(summary.changes().get(0).actionReason(), first.getActionReason());
        assertEquals(summary.render(), proto.getText());
        assertEquals(summary.hasChanges(), proto.getHasChanges());
    }
}
