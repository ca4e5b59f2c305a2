package dev.portcullis.catalog.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The direct evaluator against CEL's interpreter: over generated plan rules and generated plans,
 * both say the same, and where CEL raises an error the direct path gives way to it.
 */
class DirectEvaluatorTest {
    private static final int EXPRESSIONS = 3_000;
    private static final int TYPED_EXPRESSIONS = 4_000;
    private static final int PLANS = 6;
    private static final String[] INT_VARIABLES = {"plan.create", "plan.update", "plan.delete", "plan.replace", "plan.read",
        "plan.imports", "plan.moves", "plan.drift"};
    private static final String[] WORDS = {"create", "delete", "update", "forget", "aws_db_instance", "aws_s3_bucket", "", "x",
        "endpoint", "ü€𝄞"};
    private static final long[] INTS = {0, 1, 2, -1, 7, 1_000_000_007L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1};

    @Test
    void generatedPlanRulesEvaluateDirectlyExactlyAsCelEvaluatesThem() {
        Random random = new Random(20261207);
        List<PlanInput> plans = new ArrayList<>();
        for (int i = 0; i < PLANS; i++) {
            plans.add(plan(random));
        }
        int direct = 0;
        int compared = 0;
        int errors = 0;
        int leftToCel = 0;
        for (int i = 0; i < EXPRESSIONS; i++) {
            String expression = bool(random, 4);
            PlanCondition condition;
            try {
                condition = PlanCondition.compile(expression);
            } catch (IllegalArgumentException refused) {
                continue; // e.g. a comparison the checker refuses; not what this test is about
            }
            direct += condition.compiled().evaluatesDirectly() ? 1 : 0;
            for (PlanInput plan : plans) {
                CelCondition.Result fast = condition.evaluate(plan);
                CelCondition.Result cel = condition.compiled().evaluateWithCel(name -> PlanCondition.lookup(plan, name));
                assertEquals(cel, fast, expression + " on " + plan);
                compared++;
                if (!condition.compiled().evaluatesDirectly()) {
                    continue;
                }
                // the direct path itself: CEL's answer, or FAILED (CEL's turn), always FAILED where CEL raised an error
                Object raw = condition.compiled().directNode().orElseThrow().eval(name -> PlanCondition.lookup(plan, name));
                if (cel.error().isPresent()) {
                    assertSame(DirectEvaluator.FAILED, raw, expression + " on " + plan + ": CEL says " + cel.error().get());
                    errors++;
                } else if (raw == DirectEvaluator.FAILED) {
                    leftToCel++;
                } else {
                    assertEquals(cel.satisfied(), raw, expression + " on " + plan);
                }
            }
        }
        // the generator writes the shapes the direct path knows: nearly all take it, errors are covered too,
        // and the direct path rarely leaves an answer to CEL
        assertTrue(direct > EXPRESSIONS * 9 / 10, direct + " of " + EXPRESSIONS + " evaluated directly");
        assertTrue(errors > 100, errors + " errors compared");
        assertTrue(compared > EXPRESSIONS * PLANS * 9 / 10, compared + " comparisons");
        assertTrue(leftToCel < compared / 20, leftToCel + " of " + compared + " answers left to CEL without an error");
    }

    @Test
    void typedGeneratedRulesWithDynFieldsMapMacrosAndShadowingEvaluateDirectlyExactlyAsCelEvaluatesThem() {
        Random random = new Random(11);
        TypedRuleGenerator rules = new TypedRuleGenerator(random);
        List<PlanInput> plans = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            plans.add(TypedRuleGenerator.plan(random));
        }
        int direct = 0;
        int values = 0;
        for (int i = 0; i < TYPED_EXPRESSIONS; i++) {
            String expression = rules.next();
            PlanCondition condition;
            try {
                condition = PlanCondition.compile(expression);
            } catch (IllegalArgumentException refused) {
                continue;
            }
            if (!condition.compiled().evaluatesDirectly()) {
                continue;
            }
            direct++;
            for (PlanInput plan : plans) {
                Object raw = condition.compiled().directNode().orElseThrow().eval(name -> PlanCondition.lookup(plan, name));
                CelCondition.Result cel = condition.compiled().evaluateWithCel(name -> PlanCondition.lookup(plan, name));
                if (raw != DirectEvaluator.FAILED) {
                    values++;
                    assertEquals(new CelCondition.Result((Boolean) raw, java.util.Optional.empty()), cel, expression + " on " + plan);
                }
            }
        }
        assertTrue(direct > TYPED_EXPRESSIONS / 2, direct + " of " + TYPED_EXPRESSIONS + " evaluated directly");
        assertTrue(values > direct * 8 / 4, values + " direct answers compared");
    }

    /**
     * CEL raises "expected boolean value" for a non-bool operand of {@code &&} or {@code ||} (a
     * resource's {@code dyn} field) and the other side's false or true does not absorb it; as a
     * {@code deny_when}, that error denies the apply, so a direct false would let it through.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "plan.resources.exists(r, r.actions && r.type == \"aws_db_instance\")",
        "plan.resources[0].type && plan.delete > 0",
        "plan.resources[0].type || plan.create > 0",
        "[1, true][plan.delete] && plan.has_changes == false",
        "(plan.resources[0].type == 1 ? true : plan.resources[0].type) || plan.create > 0",
        "plan.resources.exists(r, (r.type == 1 ? true : r.address) && r.type == \"aws_db_instance\")"})
    void aNonBoolOperandOfAndOrOrIsCelsErrorAndNeverAbsorbed(String expression) {
        PlanInput bucketOnly = new PlanInput(new PlanInput.Counts(1, 0, 0, 0, 0, 0, 0, 0), true,
                List.of(new PlanInput.PlanResource("aws_s3_bucket.b", "aws_s3_bucket", List.of("create"))), 0, List.of());
        PlanCondition condition = PlanCondition.compile(expression);

        CelCondition.Result result = condition.evaluate(bucketOnly);

        assertTrue(condition.compiled().evaluatesDirectly(), expression);
        assertEquals(condition.compiled().evaluateWithCel(name -> PlanCondition.lookup(bucketOnly, name)), result);
        assertTrue(result.error().isPresent(), result.toString());
    }

    @Test
    void comprehensionsOverTheResourcesEvaluateDirectly() {
        PlanCondition condition = PlanCondition.compile(
                "plan.resources.exists(r, r.type == \"aws_db_instance\" && \"delete\" in r.actions)");

        assertTrue(condition.compiled().evaluatesDirectly());
    }

    @Test
    void fieldPresenceTestsAreLeftToCel() {
        PlanCondition condition = PlanCondition.compile("plan.resources.exists(r, has(r.type))");

        assertFalse(condition.compiled().evaluatesDirectly());
    }

    @Test
    void theRulesOfTheExampleCatalogEvaluateDirectly() {
        for (String rule : List.of("plan.delete + plan.replace > 0", "\"aws_db_instance\" in plan.types_by_action[\"delete\"]",
                "plan.has_changes && size(plan.outputs) > 0", "plan.resources.size() > 20 || plan.drift > 0",
                "plan.resources.exists(r, r.type == \"aws_db_instance\" && \"delete\" in r.actions)",
                "plan.resources.all(r, r.address.startsWith(\"module.app.\"))")) {
            assertTrue(PlanCondition.compile(rule).compiled().evaluatesDirectly(), rule);
        }
    }

    private static PlanInput plan(Random random) {
        List<PlanInput.PlanResource> resources = new ArrayList<>();
        int listed = random.nextInt(4);
        for (int i = 0; i < listed; i++) {
            String type = WORDS[4 + random.nextInt(2)];
            List<String> actions = random.nextBoolean() ? List.of("create") : List.of("delete", "create");
            resources.add(new PlanInput.PlanResource(type + ".r" + i, type, actions));
        }
        List<String> outputs = random.nextBoolean() ? List.of("endpoint") : List.of();
        return new PlanInput(new PlanInput.Counts(count(random), count(random), count(random), count(random), count(random),
                count(random), count(random), count(random)), random.nextBoolean(), resources, 0, outputs);
    }

    private static long count(Random random) {
        return random.nextInt(5) == 0 ? Long.MAX_VALUE - random.nextInt(2) : random.nextInt(3);
    }

    private static String bool(Random random, int depth) {
        int choice = random.nextInt(depth <= 0 ? 3 : 17);
        return switch (choice) {
            case 0 -> random.nextBoolean() ? "true" : "false";
            case 1 -> "plan.has_changes";
            case 2 -> string(random, 0) + " in " + list(random, 0);
            case 3 -> integer(random, depth - 1) + " " + pick(random, "<", "<=", ">", ">=", "==", "!=") + " "
                    + integer(random, depth - 1);
            case 4 -> string(random, depth - 1) + " " + pick(random, "==", "!=") + " " + string(random, depth - 1);
            case 5 -> "!(" + bool(random, depth - 1) + ")";
            case 6, 7 -> "(" + bool(random, depth - 1) + " " + pick(random, "&&", "||") + " " + bool(random, depth - 1) + ")";
            case 8 -> "(" + bool(random, depth - 1) + " ? " + bool(random, depth - 1) + " : " + bool(random, depth - 1) + ")";
            case 9 -> string(random, depth - 1) + "." + pick(random, "startsWith", "endsWith", "contains") + "("
                    + string(random, depth - 1) + ")";
            case 10 -> string(random, 0) + " in plan.types_by_action";
            case 11 -> "(" + bool(random, depth - 1) + ") == (" + bool(random, depth - 1) + ")";
            case 12 -> integer(random, depth - 1) + " in [" + integer(random, 0) + ", " + integer(random, 0) + "]";
            case 13 -> "plan.resources." + pick(random, "exists", "all", "exists_one") + "(r, " + resource(random, depth - 1) + ")";
            case 14 -> "plan.outputs." + pick(random, "exists", "all") + "(o, o " + pick(random, "==", "!=") + " "
                    + string(random, 0) + " || " + bool(random, depth - 1) + ")";
            case 15 -> "plan.types_by_action.exists(k, k.startsWith(" + string(random, 0) + ") && size(plan.types_by_action[k]) > "
                    + integer(random, 0) + ")";
            default -> "plan.has_changes " + pick(random, "&&", "||") + " " + bool(random, depth - 1);
        };
    }

    /** A condition on one resource {@code r}, sometimes on a field it does not have. */
    private static String resource(Random random, int depth) {
        return switch (random.nextInt(9)) {
            case 0 -> "r.type == " + string(random, 0);
            case 1 -> string(random, 0) + " in r.actions";
            case 2 -> "r.address.startsWith(" + string(random, 0) + ")";
            case 3 -> "r.actions[" + pick(random, "0", "1", "2") + "] == " + string(random, 0);
            case 4 -> "size(r.actions) " + pick(random, ">", "==") + " " + integer(random, 0);
            case 5 -> "r.nope == " + string(random, 0);
            case 6 -> "r.actions == [\"delete\", \"create\"]";
            case 7 -> "plan.outputs.all(o, o != r.type)";
            default -> "(" + resource(random, depth - 1) + " " + pick(random, "&&", "||") + " " + bool(random, depth - 1) + ")";
        };
    }

    private static String integer(Random random, int depth) {
        int choice = random.nextInt(depth <= 0 ? 2 : 7);
        return switch (choice) {
            case 0 -> pick(random, INT_VARIABLES);
            case 1 -> literal(random);
            case 2 -> "(" + integer(random, depth - 1) + " " + pick(random, "+", "-", "*", "/", "%") + " "
                    + integer(random, depth - 1) + ")";
            case 3 -> "-(" + integer(random, depth - 1) + ")";
            case 4 -> "size(" + list(random, depth - 1) + ")";
            case 5 -> string(random, depth - 1) + ".size()";
            default -> "(" + bool(random, depth - 1) + " ? " + integer(random, depth - 1) + " : " + integer(random, depth - 1) + ")";
        };
    }

    private static String literal(Random random) {
        long value = INTS[random.nextInt(INTS.length)];
        // CEL has no negative literal for the smallest int64: write it as an expression
        return value == Long.MIN_VALUE ? "(-9223372036854775807 - 1)" : value < 0 ? "(" + value + ")" : Long.toString(value);
    }

    private static String string(Random random, int depth) {
        int choice = random.nextInt(depth <= 0 ? 1 : 4);
        return switch (choice) {
            case 0 -> "\"" + pick(random, WORDS) + "\"";
            case 1 -> "(" + string(random, depth - 1) + " + " + string(random, depth - 1) + ")";
            case 2 -> list(random, depth - 1) + "[" + integer(random, 0) + "]";
            default -> "plan.outputs[" + pick(random, "0", "1", "(-1)") + "]";
        };
    }

    private static String list(Random random, int depth) {
        int choice = random.nextInt(depth <= 0 ? 2 : 5);
        return switch (choice) {
            case 0 -> "plan.outputs";
            case 4 -> "plan.outputs.filter(o, " + bool(random, depth - 1) + ")";
            case 1 -> "plan.types_by_action[" + string(random, 0) + "]";
            case 2 -> "[" + string(random, depth - 1) + ", " + string(random, depth - 1) + "]";
            default -> "[]";
        };
    }

    private static String pick(Random random, String... options) {
        return options[random.nextInt(options.length)];
    }
}
