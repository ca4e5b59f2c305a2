package dev.portcullis.audit.alert;

import dev.portcullis.runtime.testing.TestDatabases;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fresh database (from {@link TestDatabases}) holding only the alert schema: Flyway applies
 * {@code V2__alerts.sql} on its own, so these tests do not depend on the event store's
 * migrations. H2 gets a new in-memory database; PostgreSQL a new schema, set as the connections'
 * current schema. An unreachable PostgreSQL skips the test, or fails it under {@code CI=true}.
 * Closing drops it.
 */
public final class TestDatabase implements AutoCloseable {
    private static final String ALERT_MIGRATION = "db/audit/V2__alerts.sql";
    private static final Path MIGRATIONS = copyAlertMigration();

    private final TestDatabases.Settings settings;
    private final DataSource dataSource;

    private TestDatabase(TestDatabases.Settings settings, DataSource dataSource) {
        this.settings = settings;
        this.dataSource = dataSource;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public static TestDatabase freshH2() {
        TestDatabases.Settings settings = TestDatabases.freshH2();
        JdbcDataSource h2 = new JdbcDataSource();
        // concurrent appends queue on the counter row's lock, as they do on PostgreSQL
        h2.setURL(settings.jdbcUrl() + ";LOCK_TIMEOUT=10000");
        h2.setUser(settings.user());
        h2.setPassword(settings.password());
        migrate(h2, "PUBLIC");
        return new TestDatabase(settings, h2);
    }

    public static TestDatabase freshPostgres() {
        TestDatabases.Settings settings = TestDatabases.freshPostgresSchema();
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setUrl(settings.jdbcUrl());
        postgres.setUser(settings.user());
        postgres.setPassword(settings.password());
        postgres.setConnectTimeout(5);
        execute(postgres, "CREATE SCHEMA " + settings.schema());
        postgres.setCurrentSchema(settings.schema());
        migrate(postgres, settings.schema());
        return new TestDatabase(settings, postgres);
    }

    @Override
    public void close() {
        if (settings.schema().isEmpty()) {
            execute(dataSource, "SHUTDOWN"); // H2: frees the in-memory database now, not at JVM exit
        } else {
            TestDatabases.drop(settings);
        }
    }

    private static void execute(DataSource dataSource, String sql) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test database statement failed: " + sql, e);
        }
    }

    private static void migrate(DataSource dataSource, String schema) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("filesystem:" + MIGRATIONS)
                .schemas(schema)
                .defaultSchema(schema)
                .load()
                .migrate();
    }

    // the real migration file, alone in a folder: Flyway applies exactly it
    private static Path copyAlertMigration() {
        try (InputStream in = TestDatabase.class.getClassLoader().getResourceAsStream(ALERT_MIGRATION)) {
            if (in == null) {
                throw new IllegalStateException(ALERT_MIGRATION + " is not on the classpath");
            }
            Path dir = Files.createTempDirectory("alert-migrations");
            Path file = dir.resolve("V2__alerts.sql");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
