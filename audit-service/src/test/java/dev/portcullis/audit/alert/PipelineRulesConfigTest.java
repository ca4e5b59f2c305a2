package dev.portcullis.audit.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineRulesConfigTest {
    static final String PREFIX = "portcullis.audit.alerts.rules.";

    @Test
    void everyPipelineRuleIsOnWithItsDefaultThresholdWhenNothingIsSet() {
        assertEquals(PipelineRulesConfig.defaults(), ConfigBinding.bind(PipelineRulesConfig.class, Map.of()));
    }

    @Test
    void everyKeyIsBoundAndTheSuitesRulesShareThePrefix() {
        Map<String, Object> properties = Map.of(
                PREFIX + "protection-weakened-enabled", "false",
                PREFIX + "protected-ref-force-push-enabled", "false",
                PREFIX + "catalog-repo-push-enabled", "false",
                PREFIX + "ci-login-failure-burst-enabled", "false",
                PREFIX + "ci-login-failure-burst-threshold", "20",
                PREFIX + "ci-login-failure-burst-window", "1h",
                PREFIX + "deploy-key-added-enabled", "false",
                PREFIX + "unfamiliar-pusher-apply-enabled", "false",
                PREFIX + "source-silent-enabled", "false",
                PREFIX + "auth-failure-burst-threshold", "3");

        assertEquals(new PipelineRulesConfig(false, false, false, false, 20, Duration.ofHours(1), false, false, false),
                ConfigBinding.bind(PipelineRulesConfig.class, properties));
        assertEquals(3, ConfigBinding.bind(AlertRulesConfig.class, properties).authFailureBurstThreshold());
    }

    @Test
    void anOutOfRangeThresholdIsRefusedNamingTheKey() {
        RuntimeException failure = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(PipelineRulesConfig.class,
                Map.of(PREFIX + "ci-login-failure-burst-threshold", "0")));

        assertTrue(StartupFailure.describe(failure).contains(PREFIX + "ci-login-failure-burst-threshold: must be greater than or equal to 1"
                + " (was 0)"), StartupFailure.describe(failure));
    }
}
