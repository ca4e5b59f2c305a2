package dev.portcullis.audit.server;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.api.AuditGrpcService;
import dev.portcullis.audit.chain.ChainVerification;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.audit.ingest.LocalAuditRecorder;
import dev.portcullis.audit.store.AuditStore;
import dev.portcullis.audit.store.Databases;
import dev.portcullis.audit.store.JdbcAuditStore;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;

/** Composition root of the audit service. */
@Factory
public final class AuditServerFactory {

    /** The audit database, migrated to the newest schema. */
    @Singleton
    @Bean(preDestroy = "close")
    HikariDataSource auditDataSource(AuditConfig config) {
        String password = "";
        if (config.dbPasswordFile() != null) {
            try {
                password = Files.readString(config.dbPasswordFile(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("portcullis.audit.db-password-file cannot be read: " + config.dbPasswordFile(), e);
            }
        }
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("portcullis.audit.data-dir cannot be created: " + config.dataDir(), e);
        }
        return Databases.open(config.effectiveJdbcUrl(), config.dbUser(), password, "", config.maxConnections());
    }

    @Singleton
    AuditStore auditStore(HikariDataSource dataSource, Clock clock) {
        return new JdbcAuditStore(dataSource, clock);
    }

    @Singleton
    CheckpointSigner checkpointSigner(AuditConfig config) {
        return CheckpointSigner.load(config.effectiveSigningKeyFile(), config.publicKeyFile(), true);
    }

    @Singleton
    @Bean(preDestroy = "close")
    AuditIngest auditIngest(AuditStore store, CheckpointSigner signer, AuditConfig config, Clock clock) {
        return new AuditIngest(store, signer, config.checkpointEvery(), config.checkpointInterval(), clock, List.of());
    }

    @Singleton
    ChainVerification chainVerification(AuditStore store, CheckpointSigner signer) {
        return new ChainVerification(store, signer.publicKey());
    }

    /** The audit service records its own events locally, never through the network to itself. */
    @Singleton
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "audit")
    AuditRecorder localAuditRecorder(AuditIngest ingest) {
        return new LocalAuditRecorder(ingest);
    }

    /** The audit service's gRPC server; stopped gracefully when the context closes. */
    @Singleton
    @Named("audit")
    @Bean(preDestroy = "close")
    ServiceServer auditServer(ServerConfig config, TlsMaterial tls, RoleMapping roles, AuditIngest ingest, AuditStore store,
            ChainVerification verification, AuditRecorder audit, Clock clock) {
        return new ServiceServer("audit", config, tls, roles, List.of(new AuditGrpcService(ingest, store, verification)),
                audit, clock);
    }
}
