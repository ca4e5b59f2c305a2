package dev.portcullis.executor.server;

import dev.portcullis.executor.task.jdbc.JdbcTaskStore;
import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the executor keeps its tasks, their logs and leases. Every key is documented in
 * docs/configuration.md. Replicas of the executor must share one PostgreSQL database (of their
 * own: not the gateway's).
 *
 * @param dataDir directory for the embedded database
 * @param jdbcUrl the database; empty means embedded H2 in {@code data-dir} (one replica only)
 * @param dbUser database user
 * @param dbPasswordFile file holding the database password (a reference, never the value)
 * @param maxConnections database connection pool size
 * @param lease how long a replica's claim on a task lasts unrenewed: a dead replica's tasks are
 *     taken over this long after its last renewal
 * @param pollInterval how often a watcher of a task another replica follows reads the database
 */
@ConfigurationProperties("portcullis.executor.store")
public record StoreConfig(
        @Bindable(defaultValue = ".portcullis/executor") Path dataDir,
        @Bindable(defaultValue = "") String jdbcUrl,
        @Bindable(defaultValue = "sa") String dbUser,
        @Nullable Path dbPasswordFile,
        @Bindable(defaultValue = "10") @Min(2) @Max(100) int maxConnections,
        @Bindable(defaultValue = "15s") @PositiveDuration(max = "10m") Duration lease,
        @Bindable(defaultValue = "200ms") @PositiveDuration(max = "10s") Duration pollInterval) {

    public StoreConfig {
        if (dataDir == null) {
            throw new IllegalArgumentException("portcullis.executor.store.data-dir must name a directory");
        }
        jdbcUrl = jdbcUrl == null ? "" : jdbcUrl;
        if (!jdbcUrl.isEmpty() && !jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.startsWith("jdbc:h2:")) {
            throw new IllegalArgumentException("portcullis.executor.store.jdbc-url must be a jdbc:postgresql: or jdbc:h2: URL");
        }
        if (lease != null && lease.compareTo(Duration.ofSeconds(1)) < 0) {
            // renewed every quarter of it: a shorter lease would be renewed faster than the database is worth asking
            throw new IllegalArgumentException("portcullis.executor.store.lease must be at least 1s");
        }
    }

    /** The JDBC URL in force: the configured one, or embedded H2 in the data directory. */
    public String effectiveJdbcUrl() {
        return jdbcUrl.isEmpty() ? JdbcTaskStore.embeddedUrl(dataDir) : jdbcUrl;
    }

    /** Whether the database is embedded in this process, so no other replica can follow its tasks. */
    public boolean embedded() {
        return jdbcUrl.isEmpty();
    }
}
