package dev.portcullis.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.health.HealthConfig;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The duration constraints of configuration records and how a refused duration is reported. */
class DurationConstraintsTest {
    @ParameterizedTest
    @CsvSource({"0s, 0s", "300ms, 300ms", "90s, 90s", "5m, 5m", "24h, 1d", "1d, 1d", "1500ms, 1500ms"})
    void aRefusedDurationIsShownAsConfigurationIsWritten(String written, String shown) {
        assertEquals(shown, DurationText.format(DurationText.parse(written)));
    }

    @Test
    void aNegativeDurationKeepsItsSign() {
        assertEquals("-1s", DurationText.format(Duration.ofSeconds(-1)));
    }

    @Test
    void aRangeNamesBothBoundsAndTheValue() {
        RuntimeException refused = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(HealthConfig.class, Map.of("portcullis.health.check-timeout", "2m")));

        assertEquals("portcullis.health.check-timeout: must be between 10ms and 1m (was 2m)", StartupFailure.describe(refused));
    }

    @Test
    void aBoundThatIsNotADurationIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("5 minutes"));
    }
}
