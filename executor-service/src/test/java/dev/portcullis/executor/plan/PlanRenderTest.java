package dev.portcullis.executor.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The few lines an approver reads. */
class PlanRenderTest {

    @Test
    void aMixedPlanShowsTheCountsThenOneLinePerChange() {
        PlanSummary summary = PlanFixtures.summarise("mixed");

        String rendered = summary.render();

        assertEquals("""
                Plan: 1 to create, 1 to update, 3 to replace, 1 to delete.
                Also: 1 to move.
                  - terraform_data.app (replace, because: the object is tainted)
                  - terraform_data.db (replace, because: a changed argument cannot be updated in place)
                  - terraform_data.lb (replace, create before destroy, because: a changed argument cannot be updated in place)
                  - terraform_data.legacy (delete, because: it is no longer in the configuration)
                  - terraform_data.queue (move from terraform_data.queue_old)
                  - terraform_data.web (update)
                  - terraform_data.worker (create)
                Outputs to change: endpoint
                """, rendered);
    }

    @Test
    void aPlanWithoutChangesSaysSo() {
        PlanSummary summary = PlanFixtures.summarise("no-op");

        String rendered = summary.render();

        assertEquals("No changes. Your infrastructure matches the configuration.\n", rendered);
    }

    @Test
    void importsAreCountedAndNamedOnTheirLines() {
        PlanSummary summary = PlanFixtures.summarise("import");

        String rendered = summary.render();

        assertEquals("""
                Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.
                Also: 2 to import.
                  - terraform_data.adopted (import)
                  - terraform_data.adopted_and_changed (import, update)
                """, rendered);
    }

    @Test
    void aDataSourceReadIsCountedAndExplained() {
        PlanSummary summary = PlanFixtures.summarise("data-source");

        String rendered = summary.render();

        assertEquals("""
                Plan: 1 to create, 0 to update, 0 to replace, 0 to delete.
                Also: 1 to read.
                  - data.terraform_remote_state.shared (read, because: a dependency has changes pending)
                  - terraform_data.network (create)
                """, rendered);
    }

    @Test
    void driftIsShownApartFromTheChanges() {
        PlanSummary summary = PlanFixtures.summarise("drift.hand-edited");

        String rendered = summary.render();

        assertEquals("""
                Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.
                  - terraform_data.web (update)
                Changed outside Terraform since the last apply: 2
                  - terraform_data.web (update)
                  - terraform_data.worker (delete)
                """, rendered);
    }

    @Test
    void resourcesBeyondTheListingBoundAreSummedUpInOneLine() {
        TerraformPlanJson reader = new TerraformPlanJson(TerraformPlanJson.DEFAULT_MAX_INPUT_BYTES, 1);
        PlanSummary summary = reader.summarise(new ByteArrayInputStream(PlanFixtures.bytes("create")));

        String rendered = summary.render();

        assertEquals("""
                Plan: 2 to create, 0 to update, 0 to replace, 0 to delete.
                  - terraform_data.db (create)
                  - … and 1 more not listed
                """, rendered);
    }

    @Test
    void aReasonThisReaderDoesNotKnowIsShownAsTerraformWroteIt() {
        ResourceChange change = new ResourceChange("aws_instance.web", "aws_instance",
                List.of(PlanAction.DELETE, PlanAction.CREATE), "replace_because_of_something_new", false, "");
        PlanSummary summary = new PlanSummary("1.3", ChangeCounts.NONE.plus(change), List.of(change), 0, List.of(), 0,
                List.of(), 0);

        String rendered = summary.render();

        assertEquals("""
                Plan: 0 to create, 0 to update, 1 to replace, 0 to delete.
                  - aws_instance.web (replace, because: replace_because_of_something_new)
                """, rendered);
    }
}
