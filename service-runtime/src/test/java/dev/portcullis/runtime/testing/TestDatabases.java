package dev.portcullis.runtime.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases tests run against: embedded H2, and the machine's PostgreSQL that
 * {@code scripts/test-db-setup} starts (Testcontainers is not needed here). PostgreSQL is read
 * from {@code PORTCULLIS_TEST_JDBC_URL}, {@code PORTCULLIS_TEST_DB_USER} and
 * {@code PORTCULLIS_TEST_DB_PASSWORD}. When it cannot be reached, tests are skipped with a
 * message, except under {@code CI=true}, where they fail: CI must never skip them quietly.
 */
public final class TestDatabases {
    private TestDatabases() {}

    /** Connection settings for one test's database. */
    public record Settings(String jdbcUrl, String user, String password, String schema) {
        private static final Pattern HOST_PORT = Pattern.compile("^(jdbc:postgresql://)([^/:]+)(?::([0-9]+))?(/.*)$");

        /**
         * The URL for a service that takes no schema setting: the test's schema as the connection's
         * {@code currentSchema}, created first (PostgreSQL only).
         */
        public String jdbcUrlInSchema() {
            createSchema(this);
            return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        }

        /** The PostgreSQL server's TCP port in {@link #jdbcUrl()}. */
        public int port() {
            Matcher matcher = HOST_PORT.matcher(jdbcUrl);
            if (!matcher.matches()) {
                throw new IllegalStateException("not a jdbc:postgresql://host[:port]/… URL: " + jdbcUrl);
            }
            return matcher.group(3) == null ? 5432 : Integer.parseInt(matcher.group(3));
        }

        /** The same database reached through {@code 127.0.0.1:port} (a proxy in front of it). */
        public Settings through(int port) {
            Matcher matcher = HOST_PORT.matcher(jdbcUrl);
            if (!matcher.matches()) {
                throw new IllegalStateException("not a jdbc:postgresql://host[:port]/… URL: " + jdbcUrl);
            }
            return new Settings(matcher.group(1) + "127.0.0.1:" + port + matcher.group(4), user, password, schema);
        }

        @Override
        public String toString() {
            return "Settings[jdbcUrl=" + jdbcUrl + ", user=" + user + ", schema=" + schema + ", password=redacted]";
        }
    }

    /** A fresh in-memory H2 database, alive until the JVM ends. */
    public static Settings freshH2() {
        return new Settings("jdbc:h2:mem:t" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1",
                "sa", "", "");
    }

    /** The test PostgreSQL with a fresh schema of its own, so tests run in parallel and any order. */
    public static Settings freshPostgresSchema() {
        String url = env("PORTCULLIS_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/portcullis_test");
        String user = env("PORTCULLIS_TEST_DB_USER", "portcullis_test");
        String password = env("PORTCULLIS_TEST_DB_PASSWORD", "portcullis_test");
        try (Connection connection = DriverManager.getConnection(url, user, password)) {
            connection.isValid(5);
        } catch (SQLException e) {
            String message = "PostgreSQL at " + url + " is unreachable (run scripts/test-db-setup): " + e.getSQLState();
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(message + "; under CI=true PostgreSQL tests must not be skipped", e);
            }
            Assumptions.abort(message);
        }
        return new Settings(url, user, password, "t" + UUID.randomUUID().toString().replace("-", ""));
    }

    private static void createSchema(Settings settings) {
        try (Connection connection = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password());
                var statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + settings.schema());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test schema " + settings.schema(), e);
        }
    }

    /** Drops the schema a test made (PostgreSQL); nothing to do for H2, which dies with the JVM. */
    public static void drop(Settings settings) {
        if (settings.schema().isEmpty()) {
            return;
        }
        try (Connection connection = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password());
                var statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + settings.schema() + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + settings.schema(), e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
