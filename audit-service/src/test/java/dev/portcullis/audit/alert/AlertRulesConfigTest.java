package dev.portcullis.audit.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AlertRulesConfigTest {
    static final String PREFIX = "portcullis.audit.alerts.rules.";

    @Test
    void everyRuleIsOnWithItsDefaultThresholdWhenNothingIsSet() {
        AlertRulesConfig config = ConfigBinding.bind(AlertRulesConfig.class, Map.of());

        assertEquals(new AlertRulesConfig(true, 5, Duration.ofMinutes(5), true, 10, Duration.ofMinutes(10), true, true,
                true, true), config);
    }

    @Test
    void everyKeyIsBound() {
        Map<String, Object> properties = Map.of(
                PREFIX + "auth-failure-burst-enabled", "false",
                PREFIX + "auth-failure-burst-threshold", "3",
                PREFIX + "auth-failure-burst-window", "90s",
                PREFIX + "denial-burst-enabled", "false",
                PREFIX + "denial-burst-threshold", "20",
                PREFIX + "denial-burst-window", "1h",
                PREFIX + "new-caller-enabled", "false",
                PREFIX + "change-window-violation-enabled", "false",
                PREFIX + "secret-leak-enabled", "false",
                PREFIX + "breakglass-enabled", "false");

        AlertRulesConfig config = ConfigBinding.bind(AlertRulesConfig.class, properties);

        assertEquals(new AlertRulesConfig(false, 3, Duration.ofSeconds(90), false, 20, Duration.ofHours(1), false, false,
                false, false), config);
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                Arguments.of("auth-failure-burst-threshold", "0",
                        PREFIX + "auth-failure-burst-threshold: must be greater than or equal to 1 (was 0)"),
                Arguments.of("denial-burst-threshold", "1001",
                        PREFIX + "denial-burst-threshold: must be less than or equal to 1000 (was 1001)"),
                Arguments.of("auth-failure-burst-window", "0s",
                        PREFIX + "auth-failure-burst-window: must be a positive duration of at most 1d (was 0s)"),
                Arguments.of("denial-burst-window", "2d",
                        PREFIX + "denial-burst-window: must be a positive duration of at most 1d (was 2d)"));
    }

    @ParameterizedTest
    @MethodSource("invalidSettings")
    void anInvalidValueStopsStartupNamingTheProperty(String key, String value, String expected) {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(AlertRulesConfig.class, Map.of(PREFIX + key, value)));

        assertEquals(expected, StartupFailure.describe(e));
    }
}
