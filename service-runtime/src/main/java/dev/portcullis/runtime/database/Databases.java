package dev.portcullis.runtime.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;

/** Opens a service's database and brings its schema up to date with Flyway. */
public final class Databases {
    private Databases() {}

    /**
     * The URL of the embedded H2 database {@code name} in {@code dataDir}, the default where no JDBC
     * URL is configured. H2's own JVM-shutdown hook is turned off: the service closes its pool when
     * it stops, after its last writes (the audit service's shutdown checkpoint, the gateway's lease
     * releases), which H2's hook would otherwise cut off with "Database is already closed". Every
     * commit is written to the file at once ({@code WRITE_DELAY=0}; H2 waits up to 500 ms otherwise):
     * a run, a task's state or an audit event a caller was told is stored must outlive the process
     * being killed.
     */
    public static String embeddedH2(Path dataDir, String name) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve(name) + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    /**
     * A pooled data source for {@code jdbcUrl} (H2 or PostgreSQL), migrated to the newest schema.
     * The password is passed in, never logged.
     *
     * @param service names the pool and the migrations, {@code classpath:db/<service>}
     * @param schema the schema to use and migrate; empty for the database's default
     */
    public static HikariDataSource open(String service, String jdbcUrl, String user, String password, String schema, int maxConnections) {
        if (!schema.isEmpty()) {
            createSchema(jdbcUrl, user, password, schema);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(maxConnections);
        config.setPoolName(service);
        config.setInitializationFailTimeout(-1);
        if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            // one multi-row INSERT per batch instead of one statement per row
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
        }
        if (!schema.isEmpty()) {
            config.setSchema(schema);
        }
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            var flyway = Flyway.configure().dataSource(dataSource).locations("classpath:db/" + service);
            if (!schema.isEmpty()) {
                flyway.schemas(schema).defaultSchema(schema);
            }
            flyway.load().migrate();
            return dataSource;
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    private static void createSchema(String jdbcUrl, String user, String password, String schema) {
        if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("schema must be 1-63 characters of a-z, 0-9, '_'");
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create schema " + schema + " (SQL state " + e.getSQLState() + ")", e);
        }
    }
}
