package dev.portcullis.audit.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftRulesConfigTest {
    static final String PREFIX = "portcullis.audit.alerts.rules.";

    @Test
    void bothDriftRulesAreOnAndAlertAfterThreeFailuresWhenNothingIsSet() {
        assertEquals(DriftRulesConfig.defaults(), ConfigBinding.bind(DriftRulesConfig.class, Map.of()));
        assertEquals(new DriftRulesConfig(true, true, 3), DriftRulesConfig.defaults());
    }

    @Test
    void everyKeyIsBound() {
        Map<String, Object> properties = Map.of(
                PREFIX + "drift-detected-enabled", "false",
                PREFIX + "drift-check-failing-enabled", "false",
                PREFIX + "drift-check-failing-threshold", "7");

        assertEquals(new DriftRulesConfig(false, false, 7), ConfigBinding.bind(DriftRulesConfig.class, properties));
    }

    @Test
    void aThresholdBelowOneIsRefusedNamingTheKey() {
        RuntimeException failure = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(DriftRulesConfig.class,
                Map.of(PREFIX + "drift-check-failing-threshold", "0")));

        assertTrue(StartupFailure.describe(failure).contains(PREFIX + "drift-check-failing-threshold: must be greater than or equal to 1"
                + " (was 0)"), StartupFailure.describe(failure));
    }

    @Test
    void aThresholdAboveTheBoundIsRefusedNamingTheKey() {
        RuntimeException failure = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(DriftRulesConfig.class,
                Map.of(PREFIX + "drift-check-failing-threshold", "101")));

        assertTrue(StartupFailure.describe(failure).contains(PREFIX + "drift-check-failing-threshold: must be less than or equal to 100"
                + " (was 101)"), StartupFailure.describe(failure));
    }
}
