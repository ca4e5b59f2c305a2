package dev.portcullis.gateway.server;

import dev.portcullis.runtime.database.Databases;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;

/**
 * Where the gateway keeps runs. Every key is documented in docs/configuration.md. Replicas of the gateway
 * must share one PostgreSQL database.
 *
 * @param dataDir directory for the embedded database
 * @param jdbcUrl the database; empty means embedded H2 in {@code data-dir} (one replica only)
 * @param dbUser database user
 * @param dbPasswordFile file holding the database password (a reference, never the value)
 * @param maxConnections database connection pool size
 */
@ConfigurationProperties("portcullis.gateway.store")
public record StoreConfig(
        @Bindable(defaultValue = ".portcullis/gateway") Path dataDir,
        @Bindable(defaultValue = "") String jdbcUrl,
        @Bindable(defaultValue = "sa") String dbUser,
        @Nullable Path dbPasswordFile,
        @Bindable(defaultValue = "10") @Min(2) @Max(100) int maxConnections) {

    public StoreConfig {
        if (dataDir == null) {
            throw new IllegalArgumentException("portcullis.gateway.store.data-dir must name a directory");
        }
        jdbcUrl = jdbcUrl == null ? "" : jdbcUrl;
        if (!jdbcUrl.isEmpty() && !jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.startsWith("jdbc:h2:")) {
            throw new IllegalArgumentException("portcullis.gateway.store.jdbc-url must be a jdbc:postgresql: or jdbc:h2: URL");
        }
    }

    /** The JDBC URL in force: the configured one, or embedded H2 in the data directory. */
    public String effectiveJdbcUrl() {
        return jdbcUrl.isEmpty() ? Databases.embeddedH2(dataDir, "runs") : jdbcUrl;
    }
}
