package dev.portcullis.executor.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The stored form of a plan summary. */
class PlanSummaryJsonTest {

    @ParameterizedTest
    @ValueSource(strings = {"create", "update", "delete", "replace", "create-before-destroy", "no-op", "data-source",
            "import", "moved", "outputs", "sensitive", "mixed", "drift.hand-edited"})
    void theStoredFormRoundTrips(String fixture) {
        PlanSummary summary = PlanFixtures.summarise(fixture);

        PlanSummary stored = PlanSummaryJson.read(PlanSummaryJson.write(summary));

        assertEquals(summary, stored);
    }

    @Test
    void theStoredFormRoundTripsTheNotListedCounts() {
        TerraformPlanJson reader = new TerraformPlanJson(TerraformPlanJson.DEFAULT_MAX_INPUT_BYTES, 1);
        PlanSummary summary = reader.summarise(new java.io.ByteArrayInputStream(PlanFixtures.bytes("mixed")));

        PlanSummary stored = PlanSummaryJson.read(PlanSummaryJson.write(summary));

        assertEquals(summary, stored);
    }

    @Test
    void theStoredFormIsOneCompactLine() {
        String stored = PlanSummaryJson.write(PlanFixtures.summarise("replace"));

        assertEquals("{\"summary_version\":1,\"format_version\":\"1.2\",\"counts\":{\"create\":0,\"update\":0,"
                + "\"delete\":0,\"replace\":1,\"read\":0,\"forget\":0,\"no_op\":0,\"import\":0,\"move\":0},"
                + "\"changes\":[{\"address\":\"terraform_data.db\",\"type\":\"terraform_data\","
                + "\"actions\":[\"delete\",\"create\"],\"reason\":\"replace_because_cannot_update\"}],"
                + "\"outputs\":[],\"drift\":[]}", stored);
    }

    @Test
    void aStoredSummaryOfAnotherVersionIsRefused() {
        String stored = PlanSummaryJson.write(PlanFixtures.summarise("create")).replace("\"summary_version\":1",
                "\"summary_version\":2");

        assertThrows(IllegalArgumentException.class, () -> PlanSummaryJson.read(stored));
    }

    @Test
    void aStoredSummaryWithAnUnknownActionIsRefused() {
        String stored = PlanSummaryJson.write(PlanFixtures.summarise("create")).replace("\"create\"]", "\"explode\"]");

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> PlanSummaryJson.read(stored));

        assertFalse(refused.getMessage().contains("explode"));
    }
}
