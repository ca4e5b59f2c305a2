package dev.portcullis.executor.plan;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Never a value: sensitive.json changes a sensitive variable that feeds a resource's input and a
 * sensitive output, so both the old and the new secret sit in its before, after and variables.
 */
class PlanSecrecyTest {
    private static final List<String> SECRETS = List.of("OLD-hunter2-sensitive-input",
            "NEW-correct-horse-sensitive-input", "hunter2", "correct-horse", "postgres://", "db.internal");

    @BeforeAll
    static void theFixtureHoldsTheSecrets() {
        String plan = PlanFixtures.text("sensitive");
        SECRETS.forEach(secret -> assertTrue(plan.contains(secret), "fixture lacks " + secret));
    }

    @Test
    void noSecretReachesTheSummary() {
        PlanSummary summary = PlanFixtures.summarise("sensitive");

        assertNoSecretIn(summary.toString());
    }

    @Test
    void noSecretReachesTheRenderedSummary() {
        PlanSummary summary = PlanFixtures.summarise("sensitive");

        assertNoSecretIn(summary.render());
    }

    @Test
    void noSecretReachesTheStoredSummary() {
        PlanSummary summary = PlanFixtures.summarise("sensitive");

        assertNoSecretIn(PlanSummaryJson.write(summary));
    }

    @Test
    void aSensitiveChangeIsStillShownByAddressAndOutputName() {
        PlanSummary summary = PlanFixtures.summarise("sensitive");

        assertTrue(summary.render().contains("terraform_data.db (update)"), summary.render());
        assertTrue(summary.changedOutputs().contains("connection_string"));
    }

    private static void assertNoSecretIn(String text) {
        SECRETS.forEach(secret -> assertFalse(text.contains(secret), "leaked " + secret + " in " + text));
    }
}
