package dev.portcullis.catalog.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CelConditionTest {
    /** Tuesday 2026-06-02 09:30 in Berlin (summer time, UTC+2). */
    private static final Instant TUESDAY_MORNING_BERLIN = Instant.parse("2026-06-02T07:30:00Z");

    private static final ConditionInput PROD_APPLY = new ConditionInput(
            "spiffe://example.org/ci/github/acme/infra-live",
            "infra-live",
            "0123456789abcdef0123456789abcdef01234567",
            "refs/heads/main",
            "prod/eu-central-1/network",
            "prod",
            "apply",
            false,
            TUESDAY_MORNING_BERLIN,
            Map.of());

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", textBlock = """
            request.ref.startsWith("refs/heads/") => true
            request.ref.startsWith("refs/pull/") => false
            request.folder.matches("^prod/.*") => true
            request.folder.matches("^stage/.*") => false
            now.getHours("Europe/Berlin") >= 8 => true
            now.getHours("Europe/Berlin") >= 10 => false
            now.getHours() == 7 => true
            now.getDayOfWeek("Europe/Berlin") == 2 => true
            now >= timestamp("2026-06-02T07:30:00Z") => true
            now > timestamp("2026-06-02T07:30:00Z") => false
            request.caller == "spiffe://example.org/ci/github/acme/infra-live" => true
            request.repo == "infra-live" && request.command == "apply" => true
            request.environment in ["stage", "dev"] => false
            size(request.commit_sha) == 40 => true
            request.break_glass => false
            !request.break_glass || request.caller.startsWith("spiffe://example.org/human/") => true
            ["main", "release"].exists(b, request.ref == "refs/heads/" + b) => true
            """)
    void evaluatesAgainstTheRequest(String expression, boolean expected) {
        CelCondition condition = CelCondition.compile(expression);

        CelCondition.Result result = condition.evaluate(PROD_APPLY);

        assertEquals(new CelCondition.Result(expected, Optional.empty()), result);
    }

    /** The same request from a GitHub Actions job that authenticated with an OIDC identity token. */
    private static final ConditionInput TOKEN_APPLY = new ConditionInput(PROD_APPLY.caller(), PROD_APPLY.repo(),
            PROD_APPLY.commitSha(), PROD_APPLY.ref(), PROD_APPLY.folder(), PROD_APPLY.environment(),
            PROD_APPLY.command(), false, PROD_APPLY.now(), Map.of(
                    "environment", "prod",
                    "ref_protected", "true",
                    "job_workflow_ref", "acme/deploy/.github/workflows/apply.yml@refs/heads/main",
                    "repository_id", "123"));

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", textBlock = """
            request.claims.environment == "prod" => true
            request.claims.environment == "stage" => false
            request.claims.ref_protected == "true" => true
            request.claims.job_workflow_ref.startsWith("acme/deploy/.github/workflows/apply.yml@") => true
            request.claims.job_workflow_ref.startsWith("acme/other/.github/workflows/apply.yml@") => false
            request.claims["repository_id"] == "123" => true
            "environment" in request.claims => true
            "runner_environment" in request.claims => false
            has(request.claims.environment) && request.claims.environment == request.environment => true
            has(request.claims.runner_environment) => false
            size(request.claims) == 4 => true
            """)
    void claimsOfTheTokenAreReadable(String expression, boolean expected) {
        CelCondition condition = CelCondition.compile(expression);

        CelCondition.Result result = condition.evaluate(TOKEN_APPLY);

        assertEquals(new CelCondition.Result(expected, Optional.empty()), result);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            request.claims.environment == "prod"
            request.claims.ref_protected == "true" && request.claims.environment == request.environment
            request.claims.job_workflow_ref.startsWith("acme/deploy/.github/workflows/apply.yml@")
            request.claims["repository_id"] == "123" || request.claims.environment == "stage"
            "environment" in request.claims && request.claims.environment != "prod"
            request.claims.exists(k, k.startsWith("job_"))
            """)
    void claimsEvaluateDirectlyExactlyAsCelEvaluatesThem(String expression) {
        CelCondition condition = CelCondition.compile(expression);

        for (ConditionInput input : List.of(TOKEN_APPLY, PROD_APPLY)) {
            CelCondition.Result cel = condition.compiled().evaluateWithCel(name -> CelCondition.lookup(input, name));
            assertEquals(cel, condition.evaluate(input), expression + " with claims " + input.claims());
        }
        assertTrue(condition.compiled().evaluatesDirectly(), expression);
    }

    @Test
    void claimsConditionFailsClosedForACallerWithoutClaims() {
        CelCondition condition = CelCondition.compile("request.claims.ref_protected == \"true\"");

        CelCondition.Result result = condition.evaluate(PROD_APPLY);

        assertFalse(result.satisfied());
        assertTrue(result.error().orElseThrow().startsWith("ATTRIBUTE_NOT_FOUND: "), result.error().orElseThrow());
        assertTrue(result.error().orElseThrow().contains("ref_protected"), result.error().orElseThrow());
    }

    @Test
    void claimsConditionFailsClosedWhenTheTokenLacksTheClaim() {
        CelCondition condition = CelCondition.compile("request.claims.runner_environment == \"github-hosted\"");

        CelCondition.Result result = condition.evaluate(TOKEN_APPLY);

        assertFalse(result.satisfied());
        assertTrue(result.error().isPresent());
    }

    @Test
    void claimValuesAreStringsNotBools() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> CelCondition.compile("request.claims.ref_protected == true"));

        assertTrue(refused.getMessage().contains("found no matching overload for '_==_'"), refused.getMessage());
    }

    @Test
    void breakGlassIsABool() {
        CelCondition condition = CelCondition.compile("request.break_glass");
        ConditionInput breakGlass = new ConditionInput(PROD_APPLY.caller(), PROD_APPLY.repo(), PROD_APPLY.commitSha(),
                PROD_APPLY.ref(), PROD_APPLY.folder(), PROD_APPLY.environment(), PROD_APPLY.command(), true,
                PROD_APPLY.now(), Map.of());

        CelCondition.Result result = condition.evaluate(breakGlass);

        assertTrue(result.satisfied());
    }

    @Test
    void expressionIsKeptAsWritten() {
        String written = "request.environment  ==  'prod'";

        CelCondition condition = CelCondition.compile(written);

        assertEquals(written, condition.expression());
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", textBlock = """
            request.ref.startsWith(                   => line 1, column 24: mismatched input '<EOF>'
            request.ref ==                            => line 1, column 15: mismatched input '<EOF>'
            request.ref == 'refs/heads/main' &&& true => line 1, column 36: token recognition error
            request.nope == 'x'                       => line 1, column 1: undeclared reference to 'request'
            caller == 'x'                             => line 1, column 1: undeclared reference to 'caller'
            request.ref.frobnicate()                  => line 1, column 23: undeclared reference to 'frobnicate'
            request.ref                               => line 1, column 8: expected type 'bool' but found 'string'
            size(request.ref)                         => line 1, column 5: expected type 'bool' but found 'int'
            request.break_glass == 'yes'              => line 1, column 21: found no matching overload for '_==_'
            request.ref == 'a' ||\\n  request.bogus   => line 2, column 3: undeclared reference to 'request'
            """)
    void compileErrorsNameTheProblemAndWhere(String expression, String position) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> CelCondition.compile(expression.replace("\\n", "\n")));

        assertTrue(refused.getMessage().startsWith("condition does not compile: "), refused.getMessage());
        assertTrue(refused.getMessage().contains(position), refused.getMessage());
    }

    @Test
    void unknownVariableListsTheKnownOnes() {
        IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> CelCondition.compile("request.nope == 'x'"));

        assertEquals("condition does not compile: line 1, column 1: undeclared reference to 'request' (in container '');"
                + " the variables are request.caller, request.repo, request.commit_sha, request.ref, request.folder,"
                + " request.environment, request.command, request.break_glass, request.claims and now", refused.getMessage());
    }

    @Test
    void nonBoolResultIsRefused() {
        IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> CelCondition.compile("request.ref"));

        assertTrue(refused.getMessage().contains("bool"), refused.getMessage());
    }

    @Test
    void emptyExpressionIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> CelCondition.compile(""));
    }

    @Test
    void overlongExpressionIsRefused() {
        String overlong = "true" + " && true".repeat(600);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> CelCondition.compile(overlong));

        assertEquals("condition is longer than 4096 characters", refused.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {'stage': true}[request.environment]
            int(request.folder) > 0
            now.getHours('Mars/Olympus_Mons') >= 8
            request.ref.matches('(')
            1 / (size(request.ref) - 15) == 1
            """)
    void runtimeErrorFailsClosedWithTheError(String expression) {
        CelCondition condition = CelCondition.compile(expression);

        CelCondition.Result result = condition.evaluate(PROD_APPLY);

        assertFalse(result.satisfied());
        assertTrue(result.error().isPresent());
        assertFalse(result.error().get().isBlank());
    }

    @Test
    void missingMapKeyErrorSaysWhatAndWhichKey() {
        CelCondition condition = CelCondition.compile("{'stage': true}[request.environment]");

        CelCondition.Result result = condition.evaluate(PROD_APPLY);

        assertEquals(Optional.of("ATTRIBUTE_NOT_FOUND: evaluation error at <input>:15: prod"), result.error());
    }

    @Test
    void comprehensionsHaveAnIterationBudget() {
        String forty = IntStream.range(0, 40).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
        CelCondition condition = CelCondition.compile(forty + ".all(x, " + forty + ".all(y, x + y >= 0))");

        CelCondition.Result result = condition.evaluate(PROD_APPLY);

        assertFalse(result.satisfied());
        assertTrue(result.error().orElseThrow().startsWith("ITERATION_BUDGET_EXCEEDED: "), result.error().orElseThrow());
    }

    @Test
    void errorOnOneSideOfOrIsAbsorbedByATrueOtherSide() {
        CelCondition condition = CelCondition.compile("{'stage': true}[request.environment] || request.command == 'apply'");

        CelCondition.Result result = condition.evaluate(PROD_APPLY);

        assertEquals(new CelCondition.Result(true, Optional.empty()), result);
    }

    @Test
    void resultCannotBeSatisfiedAndFailed() {
        assertThrows(IllegalArgumentException.class, () -> new CelCondition.Result(true, Optional.of("boom")));
    }

    @Test
    void evaluatesConsistentlyFromManyThreads() throws Exception {
        CelCondition condition = CelCondition.compile(
                "request.folder.matches('^prod/.*') && now.getHours('Europe/Berlin') >= 8 && request.ref == 'refs/heads/' + request.command");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> workers = new ArrayList<>();
        try {
            for (int worker = 0; worker < 8; worker++) {
                int offset = worker;
                workers.add(pool.submit(() -> {
                    int satisfied = 0;
                    for (int i = 0; i < 2_000; i++) {
                        boolean match = (i + offset) % 2 == 0;
                        ConditionInput input = new ConditionInput(PROD_APPLY.caller(), PROD_APPLY.repo(),
                                PROD_APPLY.commitSha(), match ? "refs/heads/apply" : "refs/heads/main",
                                PROD_APPLY.folder(), PROD_APPLY.environment(), "apply", false, PROD_APPLY.now(),
                                Map.of());
                        CelCondition.Result result = condition.evaluate(input);
                        if (result.error().isPresent() || result.satisfied() != match) {
                            throw new AssertionError("wrong result " + result + " for ref " + input.ref());
                        }
                        satisfied += result.satisfied() ? 1 : 0;
                    }
                    return satisfied;
                }));
            }
            int total = 0;
            for (Future<Integer> each : workers) {
                total += each.get(60, TimeUnit.SECONDS);
            }

            assertEquals(8 * 1_000, total);
        } finally {
            pool.shutdownNow();
        }
    }
}
