package dev.portcullis.policy.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.catalog.condition.PlanInput;
import dev.portcullis.policy.decision.PlanReference;
import dev.portcullis.runtime.error.FieldViolation;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.PlanBinding;
import dev.portcullis.v1.PlanChangeCounts;
import dev.portcullis.v1.PlanResourceChange;
import dev.portcullis.v1.PlanSummary;
import dev.portcullis.v1.PlanTool;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The plan summary of an apply's plan binding, as the policy service's boundary reads and refuses it. */
class PlanSummariesTest {
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private static PlanSummary.Builder summary() {
        return PlanSummary.newBuilder()
                .setTool(PlanTool.PLAN_TOOL_TERRAFORM)
                .setFormatVersion("1.2")
                .setCounts(PlanChangeCounts.newBuilder().setCreate(1).setReplace(1).setImports(1))
                .addChanges(PlanResourceChange.newBuilder().setAddress("terraform_data.a").setType("terraform_data")
                        .addActions("create").setImporting(true))
                .addChanges(PlanResourceChange.newBuilder().setAddress("module.db.aws_db_instance.main[\"eu\"]")
                        .setType("aws_db_instance").addActions("delete").addActions("create")
                        .setActionReason("replace_because_cannot_update"))
                .addDrift(PlanResourceChange.newBuilder().setAddress("terraform_data.b").setType("terraform_data").addActions("update"))
                .addChangedOutputs("endpoint")
                .setHasChanges(true)
                .setText("Plan: 1 to add, 0 to change, 0 to replace, 1 to destroy.\n");
    }

    private static EvaluateRequest apply(PlanSummary.Builder summary) {
        return EvaluateRequest.newBuilder()
                .setCaller("spiffe://example.org/ci/github/acme/infra-live").setRepo("infra-live").setCommitSha(SHA)
                .setRef("refs/heads/main").setFolder("prod/net").setEnvironment("prod").setCommand("apply")
                .setPlan(PlanBinding.newBuilder().setPlanRunId("11111111-2222-4333-8444-555555555555").setCommitSha(SHA)
                        .setArtifactSha256("a".repeat(64)).setSummary(summary))
                .build();
    }

    private static Optional<PlanInput> parsed(EvaluateRequest request) {
        return ((PlanReference.Bound) EvaluationRequests.parse(request).plan()).summary();
    }

    private static List<String> refusedFields(UnaryOperator<PlanSummary.Builder> change) {
        InvalidRequestException refused = assertThrows(InvalidRequestException.class,
                () -> EvaluationRequests.parse(apply(change.apply(summary()))));
        return refused.violations().stream().map(FieldViolation::field).toList();
    }

    @Test
    void aSummaryIsReadIntoWhatPlanRulesSee() {
        PlanInput plan = parsed(apply(summary())).orElseThrow();

        assertEquals(new PlanInput.Counts(1, 0, 0, 1, 0, 1, 0, 1), plan.counts());
        assertEquals(List.of(new PlanInput.PlanResource("terraform_data.a", "terraform_data", List.of("create")),
                new PlanInput.PlanResource("module.db.aws_db_instance.main[\"eu\"]", "aws_db_instance", List.of("delete", "create"))),
                plan.resources());
        assertEquals(List.of("endpoint"), plan.outputs());
    }

    @Test
    void driftCountsTheListedAndTheUnlisted() {
        PlanInput plan = parsed(apply(summary().setDriftNotListed(4))).orElseThrow();

        assertEquals(5, plan.counts().drift());
    }

    @Test
    void aBindingWithoutSummaryHasNone() {
        EvaluateRequest request = apply(summary()).toBuilder()
                .setPlan(apply(summary()).getPlan().toBuilder().clearSummary()).build();

        assertEquals(Optional.empty(), parsed(request));
    }

    @Test
    void anUnspecifiedToolIsRefused() {
        assertEquals(List.of("plan.summary.tool"), refusedFields(s -> s.setTool(PlanTool.PLAN_TOOL_UNSPECIFIED)));
    }

    @Test
    void aFormatVersionThatIsNotMajorMinorIsRefused() {
        assertEquals(List.of("plan.summary.format_version"), refusedFields(s -> s.setFormatVersion("one")));
    }

    @Test
    void moreThanOneHundredListedChangesAreRefused() {
        List<String> fields = refusedFields(s -> {
            IntStream.range(0, 100).forEach(i -> s.addChanges(PlanResourceChange.newBuilder()
                    .setAddress("terraform_data.r" + i).setType("terraform_data").addActions("create")));
            return s;
        });

        assertEquals(List.of("plan.summary.changes"), fields);
    }

    @Test
    void moreThanOneHundredChangedOutputsAreRefused() {
        List<String> fields = refusedFields(s -> {
            IntStream.range(0, 100).forEach(i -> s.addChangedOutputs("out" + i));
            return s;
        });

        assertEquals(List.of("plan.summary.changed_outputs"), fields);
    }

    @Test
    void anUnknownActionIsRefused() {
        assertEquals(List.of("plan.summary.changes[0].actions"),
                refusedFields(s -> s.setChanges(0, s.getChanges(0).toBuilder().clearActions().addActions("destroy"))));
    }

    @Test
    void aChangeWithoutActionsIsRefused() {
        assertEquals(List.of("plan.summary.changes[0].actions"),
                refusedFields(s -> s.setChanges(0, s.getChanges(0).toBuilder().clearActions())));
    }

    @Test
    void aTypeThatIsNoTypeNameIsRefused() {
        assertEquals(List.of("plan.summary.changes[1].type"),
                refusedFields(s -> s.setChanges(1, s.getChanges(1).toBuilder().setType("aws db instance"))));
    }

    @Test
    void anAddressWithControlCharactersIsRefused() {
        assertEquals(List.of("plan.summary.changes[0].address"),
                refusedFields(s -> s.setChanges(0, s.getChanges(0).toBuilder().setAddress("terraform_data.a\u001b[2J"))));
    }

    @Test
    void anOutputListedTwiceIsRefused() {
        assertEquals(List.of("plan.summary.changed_outputs[1]"), refusedFields(s -> s.addChangedOutputs("endpoint")));
    }

    @Test
    void aCountAboveTwoToTheThirtyOneIsRefused() {
        assertEquals(List.of("plan.summary"),
                refusedFields(s -> s.setCounts(s.getCounts().toBuilder().setDelete(Integer.MIN_VALUE))));
    }

    @Test
    void everyBadFieldIsListedWithTheRestOfTheRequest() {
        EvaluateRequest request = apply(summary().setFormatVersion("x").setTool(PlanTool.PLAN_TOOL_UNSPECIFIED))
                .toBuilder().setRef("refs/heads/../main").build();

        InvalidRequestException refused = assertThrows(InvalidRequestException.class, () -> EvaluationRequests.parse(request));

        assertEquals(List.of("ref", "plan.summary.tool", "plan.summary.format_version"),
                refused.violations().stream().map(FieldViolation::field).toList());
    }
}
