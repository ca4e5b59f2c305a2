package dev.portcullis.executor.plan;

import static dev.portcullis.executor.plan.PlanFixtures.summarise;
import static dev.portcullis.executor.plan.PlanFixtures.summariseJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What TerraformPlanJson makes of real `terraform show -json` output. */
class PlanJsonReadingTest {

    @Test
    void createsAreCountedAndListed() {
        PlanSummary summary = summarise("create");

        assertEquals(new ChangeCounts(2, 0, 0, 0, 0, 0, 0, 0, 0), summary.counts());
        assertEquals(List.of("terraform_data.db", "terraform_data.web"), addresses(summary.changes()));
        assertEquals(List.of(List.of(PlanAction.CREATE), List.of(PlanAction.CREATE)),
                summary.changes().stream().map(ResourceChange::actions).toList());
    }

    @Test
    void eachListedResourceKeepsItsType() {
        PlanSummary summary = summarise("create");

        assertEquals(List.of("terraform_data", "terraform_data"),
                summary.changes().stream().map(ResourceChange::type).toList());
    }

    @Test
    void anInputChangeIsAnUpdate() {
        PlanSummary summary = summarise("update");

        assertEquals(new ChangeCounts(0, 1, 0, 0, 0, 0, 0, 0, 0), summary.counts());
        assertEquals(ChangeKind.UPDATE, summary.changes().get(0).kind());
    }

    @Test
    void aResourceRemovedFromTheConfigurationIsADeleteWithTerraformsReason() {
        PlanSummary summary = summarise("delete");

        assertEquals(1, summary.counts().delete());
        ResourceChange legacy = summary.changes().get(0);
        assertEquals("terraform_data.legacy", legacy.address());
        assertEquals(List.of(PlanAction.DELETE), legacy.actions());
        assertEquals("delete_because_no_resource_config", legacy.actionReason());
    }

    @Test
    void deleteThenCreateIsAReplace() {
        PlanSummary summary = summarise("replace");

        assertEquals(new ChangeCounts(0, 0, 0, 1, 0, 0, 0, 0, 0), summary.counts());
        assertEquals(List.of(PlanAction.DELETE, PlanAction.CREATE), summary.changes().get(0).actions());
        assertEquals("replace_because_cannot_update", summary.changes().get(0).actionReason());
    }

    @Test
    void createThenDeleteIsAReplace() {
        PlanSummary summary = summarise("create-before-destroy");

        assertEquals(new ChangeCounts(0, 0, 0, 1, 0, 0, 0, 0, 0), summary.counts());
        assertEquals(List.of(PlanAction.CREATE, PlanAction.DELETE), summary.changes().get(0).actions());
    }

    @Test
    void aNoOpIsCountedButNotListed() {
        PlanSummary summary = summarise("no-op");

        assertEquals(new ChangeCounts(0, 0, 0, 0, 0, 0, 1, 0, 0), summary.counts());
        assertEquals(List.of(), summary.changes());
    }

    @Test
    void aPlanOfOnlyNoOpsHasNoChanges() {
        PlanSummary summary = summarise("no-op");

        assertFalse(summary.hasChanges());
    }

    @Test
    void aPlanThatCreatesHasChanges() {
        PlanSummary summary = summarise("create");

        assertTrue(summary.hasChanges());
    }

    @Test
    void aDataSourceReadCountsAsRead() {
        PlanSummary summary = summarise("data-source");

        assertEquals(1, summary.counts().read());
        ResourceChange read = summary.changes().get(0);
        assertEquals("data.terraform_remote_state.shared", read.address());
        assertEquals(ChangeKind.READ, read.kind());
        assertEquals("read_because_dependency_pending", read.actionReason());
    }

    @Test
    void anImportCountsAsAnImportAndAsItsAction() {
        PlanSummary summary = summarise("import");

        assertEquals(new ChangeCounts(0, 1, 0, 0, 0, 0, 1, 2, 0), summary.counts());
        assertEquals(List.of("terraform_data.adopted", "terraform_data.adopted_and_changed"),
                addresses(summary.changes()));
        assertTrue(summary.changes().stream().allMatch(ResourceChange::importing));
    }

    @Test
    void aMoveCountsAsAMoveAndKeepsThePreviousAddress() {
        PlanSummary summary = summarise("moved");

        assertEquals(new ChangeCounts(0, 0, 0, 0, 0, 0, 1, 0, 1), summary.counts());
        ResourceChange moved = summary.changes().get(0);
        assertEquals("terraform_data.new_name", moved.address());
        assertEquals("terraform_data.old_name", moved.previousAddress());
    }

    @Test
    void aPlanThatOnlyMovesHasChanges() {
        PlanSummary summary = summarise("moved");

        assertTrue(summary.hasChanges());
    }

    @Test
    void onlyOutputsThatChangeAreNamed() {
        PlanSummary summary = summarise("outputs");

        assertEquals(List.of("added", "endpoint", "retired"), summary.changedOutputs());
    }

    @Test
    void aPlanThatOnlyChangesOutputsHasChanges() {
        PlanSummary summary = summarise("outputs");

        assertEquals(0, summary.counts().total() - summary.counts().noOp());
        assertTrue(summary.hasChanges());
    }

    @Test
    void driftIsCountedApartFromTheChanges() {
        PlanSummary summary = summarise("drift.hand-edited");

        assertEquals(List.of("terraform_data.web", "terraform_data.worker"), addresses(summary.drift()));
        assertEquals(List.of(ChangeKind.UPDATE, ChangeKind.DELETE),
                summary.drift().stream().map(ResourceChange::kind).toList());
        assertEquals(new ChangeCounts(0, 1, 0, 0, 0, 0, 1, 0, 0), summary.counts());
    }

    @Test
    void theFormatVersionIsKept() {
        PlanSummary summary = summarise("create");

        assertEquals("1.2", summary.formatVersion());
    }

    @Test
    void createThenForgetIsAReplace() {
        PlanSummary summary = summariseJson("""
                {"format_version":"1.2","resource_changes":[{"address":"terraform_data.a","type":"terraform_data",
                 "change":{"actions":["create","forget"]}}]}""");

        assertEquals(1, summary.counts().replace());
    }

    @Test
    void aMixedPlanCountsEveryResourceOnce() {
        PlanSummary summary = summarise("mixed");

        assertEquals(new ChangeCounts(1, 1, 1, 3, 0, 0, 2, 0, 1), summary.counts());
        assertEquals(List.of("endpoint"), summary.changedOutputs());
    }

    private static List<String> addresses(List<ResourceChange> changes) {
        return changes.stream().map(ResourceChange::address).toList();
    }
}
