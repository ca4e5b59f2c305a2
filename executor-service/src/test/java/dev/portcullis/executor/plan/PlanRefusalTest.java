package dev.portcullis.executor.plan;

import static dev.portcullis.executor.plan.PlanFixtures.summarise;
import static dev.portcullis.executor.plan.PlanFixtures.summariseJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.executor.plan.PlanRejectedException.Problem;
import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

/** Plan JSON that TerraformPlanJson refuses, and the limits it keeps. */
class PlanRefusalTest {

    @Test
    void aFormatVersionWithAnUnknownMajorIsRefused() {
        PlanRejectedException refused = assertThrows(PlanRejectedException.class,
                () -> summarise("future-format.hand-edited"));

        assertEquals(Problem.UNSUPPORTED_FORMAT, refused.problem());
        assertTrue(refused.getMessage().contains("format_version 2.0"), refused.getMessage());
    }

    @Test
    void aPlanWithoutFormatVersionIsRefused() {
        PlanRejectedException refused = assertThrows(PlanRejectedException.class,
                () -> summariseJson("{\"resource_changes\":[]}"));

        assertEquals(Problem.UNSUPPORTED_FORMAT, refused.problem());
    }

    @Test
    void aPlanTerraformMarkedErroredIsRefused() {
        PlanRejectedException refused = assertThrows(PlanRejectedException.class,
                () -> summariseJson("{\"format_version\":\"1.2\",\"errored\":true}"));

        assertEquals(Problem.ERRORED, refused.problem());
    }

    @Test
    void anActionTerraformDoesNotWriteIsRefused() {
        PlanRejectedException refused = assertThrows(PlanRejectedException.class, () -> summariseJson("""
                {"format_version":"1.2","resource_changes":[{"address":"terraform_data.a","type":"terraform_data",
                 "change":{"actions":["obliterate"]}}]}"""));

        assertEquals(Problem.MALFORMED, refused.problem());
    }

    @Test
    void anActionCombinationTerraformDoesNotWriteIsRefused() {
        PlanRejectedException refused = assertThrows(PlanRejectedException.class, () -> summariseJson("""
                {"format_version":"1.2","resource_changes":[{"address":"terraform_data.a","type":"terraform_data",
                 "change":{"actions":["update","delete"]}}]}"""));

        assertEquals(Problem.MALFORMED, refused.problem());
    }

    @Test
    void anAddressThatWouldBreakTheRenderedLinesIsRefused() {
        PlanRejectedException refused = assertThrows(PlanRejectedException.class, () -> summariseJson("""
                {"format_version":"1.2","resource_changes":[{"address":"a.b\\nPlan: 0 to create","type":"a",
                 "change":{"actions":["delete"]}}]}"""));

        assertEquals(Problem.MALFORMED, refused.problem());
    }

    @Test
    void anAddressWithABidirectionalOverrideIsRefused() {
        PlanRejectedException refused = assertThrows(PlanRejectedException.class, () -> summariseJson("""
                {"format_version":"1.2","resource_changes":[{"address":"a.b[\\"\\u202e\\"]","type":"a",
                 "change":{"actions":["delete"]}}]}"""));

        assertEquals(Problem.MALFORMED, refused.problem());
    }

    @Test
    void aResourceChangeWithoutActionsIsRefused() {
        PlanRejectedException refused = assertThrows(PlanRejectedException.class, () -> summariseJson("""
                {"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a","change":{}}]}"""));

        assertEquals(Problem.MALFORMED, refused.problem());
    }

    @Test
    void duplicateKeysAreRefused() {
        // a second "actions" must not be able to hide the first from the approver
        PlanRejectedException refused = assertThrows(PlanRejectedException.class, () -> summariseJson("""
                {"format_version":"1.2","resource_changes":[{"address":"a.b","type":"a",
                 "change":{"actions":["delete"],"actions":["no-op"]}}]}"""));

        assertEquals(Problem.MALFORMED, refused.problem());
    }

    @Test
    void dataAfterThePlanObjectIsRefused() {
        PlanRejectedException refused = assertThrows(PlanRejectedException.class,
                () -> summariseJson("{\"format_version\":\"1.2\"} {}"));

        assertEquals(Problem.MALFORMED, refused.problem());
    }

    @Test
    void invalidJsonIsRefusedWithoutQuotingTheDocument() {
        PlanRejectedException refused = assertThrows(PlanRejectedException.class,
                () -> summariseJson("{\"format_version\":\"1.2\",\"variables\":hunter2-not-quoted}"));

        assertEquals(Problem.MALFORMED, refused.problem());
        assertFalse(refused.getMessage().contains("hunter2"), refused.getMessage());
    }

    @Test
    void inputAboveTheMaximumIsRefused() {
        byte[] plan = PlanFixtures.bytes("mixed");
        TerraformPlanJson reader = new TerraformPlanJson(plan.length - 1, 10);

        PlanRejectedException refused = assertThrows(PlanRejectedException.class,
                () -> reader.summarise(new ByteArrayInputStream(plan)));

        assertEquals(Problem.TOO_LARGE, refused.problem());
    }

    @Test
    void inputOfExactlyTheMaximumIsRead() {
        byte[] plan = PlanFixtures.bytes("mixed");
        TerraformPlanJson reader = new TerraformPlanJson(plan.length, 10);

        PlanSummary summary = reader.summarise(new ByteArrayInputStream(plan));

        assertTrue(summary.hasChanges());
    }

    @Test
    void theDefaultMaximumIs64MiB() {
        assertEquals(64L * 1024 * 1024, TerraformPlanJson.DEFAULT_MAX_INPUT_BYTES);
    }

    @Test
    void resourcesBeyondTheListingBoundAreCountedNotListed() {
        TerraformPlanJson reader = new TerraformPlanJson(TerraformPlanJson.DEFAULT_MAX_INPUT_BYTES, 2);

        PlanSummary summary = reader.summarise(new ByteArrayInputStream(PlanFixtures.bytes("mixed")));

        assertEquals(2, summary.changes().size());
        assertEquals(5, summary.changesNotListed());
        assertEquals(8, summary.counts().total());
    }

    @Test
    void driftBeyondTheListingBoundIsCountedNotListed() {
        TerraformPlanJson reader = new TerraformPlanJson(TerraformPlanJson.DEFAULT_MAX_INPUT_BYTES, 1);

        PlanSummary summary = reader.summarise(new ByteArrayInputStream(PlanFixtures.bytes("drift.hand-edited")));

        assertEquals(1, summary.drift().size());
        assertEquals(2, summary.driftCount());
    }

    @Test
    void outputsBeyondTheListingBoundAreCountedNotListed() {
        TerraformPlanJson reader = new TerraformPlanJson(TerraformPlanJson.DEFAULT_MAX_INPUT_BYTES, 1);

        PlanSummary summary = reader.summarise(new ByteArrayInputStream(PlanFixtures.bytes("outputs")));

        assertEquals(1, summary.changedOutputs().size());
        assertEquals(2, summary.outputsNotListed());
    }
}
