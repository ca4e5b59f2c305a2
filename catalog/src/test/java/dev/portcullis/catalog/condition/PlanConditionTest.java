package dev.portcullis.catalog.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlanConditionTest {
    /** Replaces one database, deletes a bucket, creates a record; one drifted resource, one output. */
    private static final PlanInput PLAN = new PlanInput(new PlanInput.Counts(1, 0, 1, 1, 0, 0, 0, 1), true, List.of(
            new PlanInput.PlanResource("aws_route53_record.www", "aws_route53_record", List.of("create")),
            new PlanInput.PlanResource("module.db.aws_db_instance.main[\"eu\"]", "aws_db_instance", List.of("delete", "create")),
            new PlanInput.PlanResource("aws_s3_bucket.logs", "aws_s3_bucket", List.of("delete"))),
            0, List.of("endpoint"));

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", textBlock = """
            plan.delete + plan.replace > 0 => true
            plan.create == 1 && plan.update == 0 => true
            plan.read + plan.imports + plan.moves == 0 => true
            plan.drift == 1 => true
            plan.has_changes => true
            plan.resources.exists(r, r.type == 'aws_db_instance' && 'delete' in r.actions) => true
            plan.resources.exists(r, r.type == 'aws_db_instance' && r.actions == ['delete']) => false
            plan.resources.exists(r, r.address.startsWith('module.db.')) => true
            plan.resources.all(r, r.type.startsWith('aws_')) => true
            size(plan.resources) == 3 => true
            "endpoint" in plan.outputs => true
            plan.outputs.exists(o, o == 'password') => false
            "aws_db_instance" in plan.types_by_action["delete"] => true
            "aws_db_instance" in plan.types_by_action["update"] => false
            plan.types_by_action["create"] == ["aws_route53_record", "aws_db_instance"] => true
            size(plan.types_by_action["forget"]) == 0 => true
            """)
    void evaluatesAgainstThePlan(String expression, boolean expected) {
        PlanCondition condition = PlanCondition.compile(expression);

        CelCondition.Result result = condition.evaluate(PLAN);

        assertEquals(new CelCondition.Result(expected, Optional.empty()), result);
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", textBlock = """
            plan.destroy > 0             => line 1, column 1: undeclared reference to 'plan'
            plan.delete                  => expected type 'bool' but found 'int'
            plan.delete > 'x'            => found no matching overload
            request.ref == 'x'           => undeclared reference to 'request'
            plan.delete >                => line 1, column 14: mismatched input '<EOF>'
            """)
    void compileErrorsNameTheProblemAndWhere(String expression, String problem) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> PlanCondition.compile(expression));

        assertTrue(refused.getMessage().startsWith("condition does not compile: "), refused.getMessage());
        assertTrue(refused.getMessage().contains(problem), refused.getMessage());
    }

    @Test
    void anUndeclaredReferenceListsThePlanVariables() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> PlanCondition.compile("plan.destroy > 0"));

        assertTrue(refused.getMessage().endsWith("the variables are plan.create, plan.update, plan.delete, plan.replace,"
                + " plan.read, plan.imports, plan.moves, plan.drift, plan.has_changes, plan.resources (each with address,"
                + " type and actions), plan.outputs and plan.types_by_action"), refused.getMessage());
    }

    @Test
    void aResourceKeyThatDoesNotExistFailsClosed() {
        PlanCondition condition = PlanCondition.compile("plan.resources.exists(r, r.name == 'x')");

        CelCondition.Result result = condition.evaluate(PLAN);

        assertFalse(result.satisfied());
        assertTrue(result.error().isPresent(), result.toString());
    }

    @Test
    void aConditionOnResourcesFailsClosedWhenTheSummaryLeavesResourcesUnlisted() {
        PlanInput partial = new PlanInput(PLAN.counts(), true, PLAN.resources(), 7, PLAN.outputs());
        PlanCondition condition = PlanCondition.compile("plan.resources.exists(r, r.type == 'aws_db_instance')");

        CelCondition.Result result = condition.evaluate(partial);

        assertFalse(result.satisfied());
        assertTrue(result.error().orElseThrow().contains("leaves 7 unlisted"), result.toString());
    }

    @Test
    void aConditionOnTypesByActionFailsClosedWhenTheSummaryLeavesResourcesUnlisted() {
        PlanInput partial = new PlanInput(PLAN.counts(), true, PLAN.resources(), 1, PLAN.outputs());
        PlanCondition condition = PlanCondition.compile("\"aws_db_instance\" in plan.types_by_action[\"delete\"]");

        CelCondition.Result result = condition.evaluate(partial);

        assertFalse(result.satisfied());
        assertTrue(result.error().isPresent(), result.toString());
    }

    @Test
    void aConditionOnOutputsFailsClosedWhenTheSummaryLeavesOutputsUnlisted() {
        PlanInput partial = new PlanInput(PLAN.counts(), true, PLAN.resources(), 0, PLAN.outputs(), 3);
        PlanCondition condition = PlanCondition.compile("\"db_password\" in plan.outputs");

        CelCondition.Result result = condition.evaluate(partial);

        assertFalse(result.satisfied());
        assertTrue(result.error().orElseThrow().contains("leaves 3 unlisted"), result.toString());
    }

    @Test
    void aConditionOnCountsDecidesWhenTheSummaryLeavesResourcesUnlisted() {
        PlanInput partial = new PlanInput(PLAN.counts(), true, PLAN.resources(), 7, PLAN.outputs());
        PlanCondition condition = PlanCondition.compile("plan.delete > 0");

        CelCondition.Result result = condition.evaluate(partial);

        assertEquals(new CelCondition.Result(true, Optional.empty()), result);
    }

    @Test
    void moreThanOneHundredListedResourcesAreRefused() {
        List<PlanInput.PlanResource> many = java.util.stream.IntStream.range(0, 101)
                .mapToObj(i -> new PlanInput.PlanResource("terraform_data.r" + i, "terraform_data", List.of("create"))).toList();

        assertThrows(IllegalArgumentException.class,
                () -> new PlanInput(new PlanInput.Counts(101, 0, 0, 0, 0, 0, 0, 0), true, many, 0, List.of()));
    }
}
