package dev.portcullis.runtime.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthConfigTest {
    @Test
    void everyKeyHasItsDefault() {
        HealthConfig config = ConfigBinding.bind(HealthConfig.class, Map.of());

        assertEquals(new HealthConfig(Duration.ofSeconds(2), Duration.ofSeconds(1)), config);
    }

    @Test
    void everyKeyIsBound() {
        HealthConfig config = ConfigBinding.bind(HealthConfig.class, Map.of(
                "portcullis.health.interval", "5s",
                "portcullis.health.check-timeout", "300ms"));

        assertEquals(new HealthConfig(Duration.ofSeconds(5), Duration.ofMillis(300)), config);
    }

    @Test
    void aZeroIntervalIsRefusedNamingTheKey() {
        RuntimeException refused = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(HealthConfig.class, Map.of("portcullis.health.interval", "0s")));

        assertTrue(StartupFailure.describe(refused).contains("portcullis.health.interval"), StartupFailure.describe(refused));
    }
}
