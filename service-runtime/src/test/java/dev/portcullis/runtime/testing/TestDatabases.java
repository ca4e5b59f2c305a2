package dev.portcullis.runtime.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The databases tests run against: embedded H2, and PostgreSQL, chosen once per JVM by
 * {@link #select}: {@code PORTCULLIS_TEST_JDBC_URL} (with {@code PORTCULLIS_TEST_DB_USER} and
 * {@code PORTCULLIS_TEST_DB_PASSWORD}) when set; else one shared {@code postgres:15} container from
 * Testcontainers when a Docker engine answers; else the machine's PostgreSQL that
 * {@code scripts/test-db-setup} starts, at the default URL. When it cannot be reached, tests are
 * skipped with a message, except under {@code CI=true}, where they fail: CI must never skip them quietly.
 */
public final class TestDatabases {
    static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/portcullis_test";
    static final String CONTAINER_IMAGE = "postgres:15";
    /** How long to wait for Testcontainers to find a Docker engine before using the local server. */
    static final Duration DOCKER_PROBE_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(TestDatabases.class);

    private TestDatabases() {}

    /** Where the test PostgreSQL comes from. */
    public enum Source {
        /** {@code PORTCULLIS_TEST_JDBC_URL} names it. */
        CONFIGURED,
        /** A {@code postgres:15} container this JVM starts and shares. */
        CONTAINER,
        /** The machine's server at {@link #LOCAL_URL}. */
        LOCAL
    }

    /**
     * Chooses the PostgreSQL source from the configured URL and whether Docker answers; Docker is
     * asked only when no URL is configured.
     */
    static Source select(Optional<String> configuredUrl, BooleanSupplier dockerAvailable) {
        if (configuredUrl.filter(url -> !url.isBlank()).isPresent()) {
            return Source.CONFIGURED;
        }
        return dockerAvailable.getAsBoolean() ? Source.CONTAINER : Source.LOCAL;
    }

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
        Server server = Postgres.SERVER;
        try (Connection connection = DriverManager.getConnection(server.url(), server.user(), server.password())) {
            connection.isValid(5);
        } catch (SQLException e) {
            String message = "PostgreSQL at " + server.url() + " is unreachable (run scripts/test-db-setup): " + e.getSQLState();
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(message + "; under CI=true PostgreSQL tests must not be skipped", e);
            }
            Assumptions.abort(message);
        }
        return new Settings(server.url(), server.user(), server.password(), "t" + UUID.randomUUID().toString().replace("-", ""));
    }

    private record Server(String url, String user, String password) {}

    /** The PostgreSQL server of this JVM, chosen and (for a container) started on first use. */
    private static final class Postgres {
        static final Server SERVER = start();

        private static Server start() {
            Optional<String> configured = Optional.ofNullable(System.getenv("PORTCULLIS_TEST_JDBC_URL"));
            Source source = select(configured, TestDatabases::dockerAvailable);
            log.info("test PostgreSQL: {}", source);
            return switch (source) {
                case CONFIGURED -> new Server(configured.orElseThrow(), credential("PORTCULLIS_TEST_DB_USER"),
                        credential("PORTCULLIS_TEST_DB_PASSWORD"));
                case CONTAINER -> {
                    // stopped with the JVM by Testcontainers' reaper
                    PostgreSQLContainer container = new PostgreSQLContainer(CONTAINER_IMAGE);
                    container.start();
                    yield new Server(container.getJdbcUrl(), container.getUsername(), container.getPassword());
                }
                case LOCAL -> new Server(LOCAL_URL, credential("PORTCULLIS_TEST_DB_USER"),
                        credential("PORTCULLIS_TEST_DB_PASSWORD"));
            };
        }
    }

    /**
     * Whether Testcontainers finds a working Docker engine, within {@link #DOCKER_PROBE_TIMEOUT}: a
     * client without an engine must not hold the tests up.
     */
    private static boolean dockerAvailable() {
        long started = System.nanoTime();
        CompletableFuture<Boolean> probe = new CompletableFuture<>();
        Thread prober = new Thread(() -> {
            try {
                probe.complete(DockerClientFactory.instance().isDockerAvailable());
            } catch (RuntimeException | LinkageError e) {
                probe.complete(false);
            }
        }, "docker-probe");
        prober.setDaemon(true);
        prober.start();
        boolean available;
        try {
            available = probe.get(DOCKER_PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            available = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            available = false;
        }
        log.info("Docker engine available: {} (asked in {} ms)", available,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return available;
    }

    private static void createSchema(Settings settings) {
        try (Connection connection = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password());
                var statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + settings.schema());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test schema " + settings.schema(), e);
        }
    }

    /**
     * Drops the schema a test made (PostgreSQL); nothing to do for H2, which dies with the JVM, or
     * for null: a test skipped because PostgreSQL was unreachable got no schema.
     */
    public static void drop(Settings settings) {
        if (settings == null || settings.schema().isEmpty()) {
            return;
        }
        try (Connection connection = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password());
                var statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + settings.schema() + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + settings.schema(), e);
        }
    }

    private static String credential(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? "portcullis_test" : value;
    }
}
