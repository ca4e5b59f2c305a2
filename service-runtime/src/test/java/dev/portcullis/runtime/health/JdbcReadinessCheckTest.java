package dev.portcullis.runtime.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.runtime.database.JdbcReadinessCheck;
import dev.portcullis.runtime.testing.TestDatabases;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JdbcReadinessCheckTest {
    @Test
    void aReachableDatabaseIsReady() {
        try (HikariDataSource pool = pool(TestDatabases.freshH2().jdbcUrl())) {
            assertEquals(Readiness.READY, new JdbcReadinessCheck(pool, Duration.ofSeconds(1)).check());
        }
    }

    @Test
    void anUnreachableDatabaseIsNotReadyAndOnlyItsSqlStateIsReported() {
        String url = "jdbc:postgresql://127.0.0.1:1/nothing?user=someone&password=hunter2";
        try (HikariDataSource pool = pool(url)) {
            pool.setConnectionTimeout(250);

            Readiness result = new JdbcReadinessCheck(pool, Duration.ofSeconds(1)).check();

            assertFalse(result.ready());
            assertTrue(result.problem().startsWith("the database is unreachable (SQL state "), result.problem());
            assertFalse(result.problem().contains("hunter2") || result.problem().contains("127.0.0.1"), result.problem());
        }
    }

    private static HikariDataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setInitializationFailTimeout(-1);
        config.setMaximumPoolSize(2);
        return new HikariDataSource(config);
    }
}
