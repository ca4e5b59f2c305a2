package dev.portcullis.audit.server;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.alert.AlertDeliveryConfig;
import dev.portcullis.audit.alert.AlertDispatcher;
import dev.portcullis.audit.alert.AlertPipeline;
import dev.portcullis.audit.alert.AlertRulesConfig;
import dev.portcullis.audit.alert.AlertSink;
import dev.portcullis.audit.alert.AlertStore;
import dev.portcullis.audit.alert.AnomalyDetector;
import dev.portcullis.audit.alert.JdbcAlertStore;
import dev.portcullis.audit.alert.WebhookAlertSink;
import dev.portcullis.audit.api.AuditGrpcService;
import dev.portcullis.audit.chain.ChainVerification;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.audit.ingest.LocalAuditRecorder;
import dev.portcullis.audit.store.AuditStore;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.audit.store.JdbcAuditStore;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
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
        return Databases.open("audit", config.effectiveJdbcUrl(), config.dbUser(), password, "", config.maxConnections());
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
    AlertStore alertStore(HikariDataSource dataSource, Clock clock) {
        return new JdbcAlertStore(dataSource, clock);
    }

    /** The anomaly rules, told at start which identities have submitted runs before. */
    @Singleton
    AnomalyDetector anomalyDetector(AlertRulesConfig rules, AuditStore store, Clock clock) {
        AnomalyDetector detector = new AnomalyDetector(rules, clock);
        detector.seedKnownCallers(store.knownCallers());
        return detector;
    }

    /** Delivery of every alert to each configured webhook, with retries and dead letters. */
    @Singleton
    @Bean(preDestroy = "close")
    AlertDispatcher alertDispatcher(AlertDeliveryConfig delivery, AlertStore alerts, Clock clock) {
        List<AlertSink> sinks = new ArrayList<>();
        List<URI> urls = delivery.webhookUris();
        for (int i = 0; i < urls.size(); i++) {
            sinks.add(new WebhookAlertSink("webhook-" + (i + 1), urls.get(i), delivery.timeout()));
        }
        return new AlertDispatcher(sinks, alerts, delivery, clock);
    }

    @Singleton
    AlertPipeline alertPipeline(AnomalyDetector detector, AlertStore alerts, AlertDispatcher dispatcher) {
        return new AlertPipeline(detector, alerts, dispatcher);
    }

    @Singleton
    @Bean(preDestroy = "close")
    AuditIngest auditIngest(AuditStore store, CheckpointSigner signer, AuditConfig config, Clock clock,
            AlertPipeline alerts) {
        return new AuditIngest(store, signer, config.checkpointEvery(), config.checkpointInterval(), clock,
                List.of(alerts));
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
            ChainVerification verification, AuditRecorder audit, Clock clock, AlertStore alerts, AlertPipeline pipeline,
            Telemetry telemetry) {
        return new ServiceServer("audit", config, tls, roles,
                List.of(new AuditGrpcService(ingest, store, verification, alerts, pipeline, telemetry)), audit, clock, telemetry);
    }
}
