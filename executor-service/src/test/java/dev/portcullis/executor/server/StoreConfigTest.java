package dev.portcullis.executor.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreConfigTest {
    private static final String P = "portcullis.executor.store.";

    @Test
    void anEmptyEnvironmentGivesEveryDefault() {
        StoreConfig config = ConfigBinding.bind(StoreConfig.class, Map.of());

        assertEquals(new StoreConfig(Path.of(".portcullis/executor"), "", "sa", null, 10, Duration.ofSeconds(15),
                Duration.ofMillis(200)), config);
        assertTrue(config.embedded());
        assertTrue(config.effectiveJdbcUrl().startsWith("jdbc:h2:file:"), config.effectiveJdbcUrl());
        assertTrue(config.effectiveJdbcUrl().contains(";WRITE_DELAY=0"), config.effectiveJdbcUrl());
    }

    @Test
    void everyKeyIsBound() {
        StoreConfig config = ConfigBinding.bind(StoreConfig.class, Map.of(
                P + "data-dir", "/var/lib/portcullis/executor-db",
                P + "jdbc-url", "jdbc:postgresql://db:5432/executor",
                P + "db-user", "executor",
                P + "db-password-file", "/run/secrets/executor-db",
                P + "max-connections", "20",
                P + "lease", "30s",
                P + "poll-interval", "100ms"));

        assertEquals(new StoreConfig(Path.of("/var/lib/portcullis/executor-db"), "jdbc:postgresql://db:5432/executor", "executor",
                Path.of("/run/secrets/executor-db"), 20, Duration.ofSeconds(30), Duration.ofMillis(100)), config);
        assertFalse(config.embedded());
        assertEquals("jdbc:postgresql://db:5432/executor", config.effectiveJdbcUrl());
    }

    @Test
    void aUrlOfAnotherDatabaseStopsStartup() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(StoreConfig.class, Map.of(P + "jdbc-url", "jdbc:mysql://db/executor")));

        assertEquals(P + "jdbc-url must be a jdbc:postgresql: or jdbc:h2: URL", StartupFailure.describe(e));
    }

    @Test
    void aLeaseShorterThanASecondStopsStartup() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(StoreConfig.class, Map.of(P + "lease", "500ms")));

        assertEquals(P + "lease must be at least 1s", StartupFailure.describe(e));
    }
}
