package dev.portcullis.catalog.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A smoke check that one compiled condition is cheap enough to evaluate on every decision. It
 * reports the rate and never asserts it; it runs alone so the number it prints means something.
 */
@Isolated
class CelConditionSpeedTest {
    private static final ConditionInput PROD_APPLY = new ConditionInput(
            "spiffe://example.org/ci/github/acme/infra-live",
            "infra-live",
            "0123456789abcdef0123456789abcdef01234567",
            "refs/heads/main",
            "prod/eu-central-1/network",
            "prod",
            "apply",
            false,
            Instant.parse("2026-06-02T07:30:00Z"));

    @Test
    void hundredThousandEvaluationsOfOneCompiledCondition() {
        CelCondition condition = CelCondition.compile(
                "request.ref.startsWith('refs/heads/') && request.folder.matches('^prod/.*') && now.getHours('Europe/Berlin') >= 8");
        int evaluations = 100_000;
        int satisfied = 0;

        long started = System.nanoTime();
        for (int i = 0; i < evaluations; i++) {
            satisfied += condition.evaluate(PROD_APPLY).satisfied() ? 1 : 0;
        }
        long elapsed = System.nanoTime() - started;

        System.out.printf("CelCondition: %d evaluations in %d ms (%.0f per second)%n",
                evaluations, elapsed / 1_000_000, evaluations / (elapsed / 1e9));
        assertEquals(evaluations, satisfied);
    }
}
