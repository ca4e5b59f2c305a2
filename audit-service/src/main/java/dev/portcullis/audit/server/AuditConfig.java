package dev.portcullis.audit.server;

import dev.portcullis.runtime.config.PositiveDuration;
import dev.portcullis.runtime.database.Databases;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where and how the audit service keeps the log. Every key is documented in docs/configuration.md.
 *
 * @param dataDir directory for the embedded database and the checkpoint signing key
 * @param jdbcUrl the database; empty means embedded H2 in {@code data-dir}
 * @param dbUser database user
 * @param dbPasswordFile file holding the database password (a reference, never the value); empty for none
 * @param signingKeyFile Ed25519 private key (PKCS#8 PEM) that signs checkpoints; created with its
 *     public half ({@code .pub} next to it) when absent
 * @param checkpointEvery sign a checkpoint after this many new events
 * @param checkpointInterval and at least this often while events arrive
 * @param maxConnections database connection pool size
 */
@ConfigurationProperties("portcullis.audit")
public record AuditConfig(
        @Bindable(defaultValue = ".portcullis/audit") Path dataDir,
        @Bindable(defaultValue = "") String jdbcUrl,
        @Bindable(defaultValue = "sa") String dbUser,
        @Nullable Path dbPasswordFile,
        @Nullable Path signingKeyFile,
        @Bindable(defaultValue = "1000") @Min(1) @Max(1_000_000) int checkpointEvery,
        @Bindable(defaultValue = "1m") @PositiveDuration Duration checkpointInterval,
        @Bindable(defaultValue = "8") @Min(1) @Max(100) int maxConnections) {

    public AuditConfig {
        if (dataDir == null) {
            throw new IllegalArgumentException("portcullis.audit.data-dir must name a directory");
        }
        jdbcUrl = jdbcUrl == null ? "" : jdbcUrl;
        if (!jdbcUrl.isEmpty() && !jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.startsWith("jdbc:h2:")) {
            throw new IllegalArgumentException("portcullis.audit.jdbc-url must be a jdbc:postgresql: or jdbc:h2: URL");
        }
    }

    /** The JDBC URL in force: the configured one, or embedded H2 in the data directory. */
    public String effectiveJdbcUrl() {
        return jdbcUrl.isEmpty() ? Databases.embeddedH2(dataDir, "audit") : jdbcUrl;
    }

    /** The signing key in force. */
    public Path effectiveSigningKeyFile() {
        return signingKeyFile == null ? dataDir.resolve("checkpoint.key") : signingKeyFile;
    }

    /** The public half of the signing key: same name with {@code .pub}. */
    public Path publicKeyFile() {
        Path key = effectiveSigningKeyFile();
        return key.resolveSibling(key.getFileName().toString().replaceFirst("\\.key$", "") + ".pub");
    }
}
