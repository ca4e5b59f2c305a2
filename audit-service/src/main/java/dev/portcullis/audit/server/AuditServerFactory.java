package dev.portcullis.audit.server;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.alert.AlertPipeline;
import dev.portcullis.audit.alert.AlertRulesConfig;
import dev.portcullis.audit.alert.AlertStore;
import dev.portcullis.audit.alert.AnomalyDetector;
import dev.portcullis.audit.alert.DriftRules;
import dev.portcullis.audit.alert.DriftRulesConfig;
import dev.portcullis.audit.alert.JdbcAlertStore;
import dev.portcullis.audit.alert.PipelineRules;
import dev.portcullis.audit.alert.PipelineRulesConfig;
import dev.portcullis.audit.alert.delivery.AlertDeliveryConfig;
import dev.portcullis.audit.alert.delivery.AlertDispatcher;
import dev.portcullis.audit.alert.delivery.AlertSink;
import dev.portcullis.audit.alert.delivery.WebhookAlertSink;
import dev.portcullis.audit.api.AuditGrpcService;
import dev.portcullis.audit.catalog.CatalogFile;
import dev.portcullis.audit.catalog.CatalogRepos;
import dev.portcullis.audit.catalog.CatalogView;
import dev.portcullis.audit.catalog.RepoUrl;
import dev.portcullis.audit.chain.ChainVerification;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.audit.ingest.LocalAuditRecorder;
import dev.portcullis.audit.source.JdbcSourceActivityStore;
import dev.portcullis.audit.source.SilenceWatch;
import dev.portcullis.audit.source.Source;
import dev.portcullis.audit.source.SourceActivityStore;
import dev.portcullis.audit.source.SourceConfig;
import dev.portcullis.audit.source.SourceCounters;
import dev.portcullis.audit.source.SourceIntake;
import dev.portcullis.audit.source.SourceMonitor;
import dev.portcullis.audit.source.SourceName;
import dev.portcullis.audit.source.SourceSecret;
import dev.portcullis.audit.source.Sources;
import dev.portcullis.audit.source.SourcesConfig;
import dev.portcullis.audit.source.listener.HttpsSourceListener;
import dev.portcullis.audit.store.AuditStore;
import dev.portcullis.audit.store.EventFilter;
import dev.portcullis.audit.store.JdbcAuditStore;
import dev.portcullis.audit.witness.CheckpointWitness;
import dev.portcullis.audit.witness.JdbcWitnessStore;
import dev.portcullis.audit.witness.TlogWitnessClient;
import dev.portcullis.audit.witness.WitnessPublisher;
import dev.portcullis.audit.witness.s3.S3CheckpointArchive;
import dev.portcullis.catalog.RefPattern;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.database.JdbcReadinessCheck;
import dev.portcullis.runtime.health.HealthConfig;
import dev.portcullis.runtime.health.ReadinessCheck;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.oidc.OidcAdmission;
import dev.portcullis.runtime.oidc.OidcDelegatesConfig;
import dev.portcullis.runtime.oidc.OidcIssuerConfig;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import dev.portcullis.runtime.transport.TokenAdmission;
import io.grpc.BindableService;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Composition root of the audit service. */
@Factory
public final class AuditServerFactory {
    /** How many of the newest drift events seed the drift rules at start. */
    private static final int DRIFT_EVENTS_SEEDED = 10_000;
    private static final int TREE_CATCH_UP_BATCH = 10_000;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AuditServerFactory.class);

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

    /** Ready while the audit database answers (every append and query goes there). */
    @Singleton
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "audit")
    ReadinessCheck databaseReadiness(HikariDataSource dataSource, HealthConfig health) {
        return new JdbcReadinessCheck(dataSource, health.checkTimeout());
    }

    /**
     * The audit log. Events stored before the Merkle tree existed (an upgraded database) are added
     * to it here, 10,000 per transaction under the chain head lock, so other replicas' appends
     * wait only briefly.
     */
    @Singleton
    AuditStore auditStore(HikariDataSource dataSource, Clock clock) {
        JdbcAuditStore store = new JdbcAuditStore(dataSource, clock);
        long missing = store.extendTree(TREE_CATCH_UP_BATCH);
        if (missing > 0) {
            log.atInfo().addKeyValue("events", missing).log("audit.tree_catching_up");
            while (missing > 0) {
                missing = store.extendTree(TREE_CATCH_UP_BATCH);
            }
        }
        return store;
    }

    /** The checkpoint key; its public half is logged at start in the C2SP verifier-key form, for witnesses and verifiers. */
    @Singleton
    CheckpointSigner checkpointSigner(AuditConfig config) {
        CheckpointSigner signer = CheckpointSigner.load(config.effectiveSigningKeyFile(), config.publicKeyFile(), true);
        log.atInfo().addKeyValue("origin", signer.origin()).addKeyValue("verifier_key", CheckpointSigner.verifierKey(signer.publicKey()))
                .log("audit.checkpoint_key");
        return signer;
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
    AlertDispatcher alertDispatcher(AlertDeliveryConfig delivery, AlertStore alerts, Clock clock, Telemetry telemetry) {
        List<AlertSink> sinks = new ArrayList<>();
        List<URI> urls = delivery.webhookUris();
        for (int i = 0; i < urls.size(); i++) {
            sinks.add(new WebhookAlertSink("webhook-" + (i + 1), urls.get(i), delivery.timeout()));
        }
        return new AlertDispatcher(sinks, alerts, delivery, clock, telemetry);
    }

    @Singleton
    AlertPipeline alertPipeline(AnomalyDetector detector, PipelineRules pipelineRules, DriftRules driftRules,
            AlertStore alerts, AlertDispatcher dispatcher, Telemetry telemetry) {
        return new AlertPipeline(List.of(detector, pipelineRules, driftRules), alerts, dispatcher, telemetry);
    }

    /** The drift rules, told at start how the newest drift checks went, so a streak already reported stays reported. */
    @Singleton
    DriftRules driftRules(DriftRulesConfig config, AuditStore store, Clock clock) {
        DriftRules rules = new DriftRules(config, clock);
        EventFilter drift = EventFilter.builder()
                .actions(Set.of(AuditAction.DRIFT_DETECTED, AuditAction.DRIFT_CLEARED, AuditAction.DRIFT_CHECK_FAILED))
                .build();
        // the newest events are enough: a streak needs at most a threshold's worth of failures per target
        List<StoredEvent> newest = new ArrayList<>(store.query(drift, true, 0, DRIFT_EVENTS_SEEDED));
        Collections.reverse(newest);
        rules.seed(newest.stream().map(StoredEvent::event).toList());
        return rules;
    }

    /** What the audit service knows of the Service Catalog: its file, followed, or nothing (every repo counts). */
    @Singleton
    CatalogView catalogView(SourcesConfig config, Clock clock) {
        Optional<RepoUrl> catalogRepository = Optional.ofNullable(config.catalogRepository()).map(RepoUrl::of);
        List<RefPattern> alwaysProtected = config.protectedRefs().stream().map(RefPattern::new).toList();
        if (config.catalogFile() == null) {
            return CatalogView.fixed(CatalogRepos.unconfigured(catalogRepository, alwaysProtected));
        }
        return CatalogView.watching(new CatalogFile(config.catalogFile(), catalogRepository, alwaysProtected,
                config.catalogReloadInterval(), clock));
    }

    /** The pipeline rules, told at start who pushed what before. */
    @Singleton
    PipelineRules pipelineRules(PipelineRulesConfig config, CatalogView catalog, AuditStore store, Clock clock) {
        PipelineRules rules = new PipelineRules(config, catalog, clock);
        EventFilter pushes = EventFilter.builder().actions(Set.of(AuditAction.SCM_PUSH)).build();
        long after = 0;
        while (true) {
            List<StoredEvent> page = store.query(pushes, false, after, 1000);
            rules.seedPushes(page.stream().map(StoredEvent::event).toList());
            if (page.size() < 1000) {
                return rules;
            }
            after = page.get(page.size() - 1).sequence();
        }
    }

    /** The configured outside sources, their secrets read from the files or variables named. */
    @Singleton
    Sources sources(List<SourceConfig> feeds) {
        List<Source> sources = new ArrayList<>();
        for (SourceConfig feed : feeds) {
            String property = "portcullis.audit.sources.feeds." + feed.name() + ".";
            String secret;
            if (feed.secretFile() != null) {
                try {
                    secret = Files.readString(feed.secretFile(), StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    throw new UncheckedIOException(property + "secret-file cannot be read: " + feed.secretFile(), e);
                }
            } else {
                secret = System.getenv(feed.secretEnv());
                if (secret == null) {
                    throw new IllegalStateException(property + "secret-env names an unset variable: " + feed.secretEnv());
                }
                secret = secret.strip();
            }
            SourceSecret sourceSecret;
            try {
                sourceSecret = new SourceSecret(secret);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(property + "secret-file/secret-env: " + e.getMessage());
            }
            sources.add(new Source(new SourceName(feed.name()), feed.kind(), sourceSecret,
                    feed.maxSilence() == null ? Duration.ZERO : feed.maxSilence()));
        }
        return new Sources(sources);
    }

    @Singleton
    SourceActivityStore sourceActivityStore(HikariDataSource dataSource) {
        return new JdbcSourceActivityStore(dataSource);
    }

    /** Delivery counters, written to the store once a second. */
    @Singleton
    @Bean(preDestroy = "close")
    SourceCounters sourceCounters(SourceActivityStore activity) {
        return new SourceCounters(activity, Duration.ofSeconds(1));
    }

    @Singleton
    SourceMonitor sourceMonitor(Sources sources, SourceCounters counters, AuditIngest ingest, Clock clock) {
        return new SourceMonitor(sources, counters, ingest, clock);
    }

    @Singleton
    SourceIntake sourceIntake(Sources sources, AuditIngest ingest, SourceCounters counters, CatalogView catalog,
            SourcesConfig config, Clock clock) {
        return new SourceIntake(sources, ingest, counters, catalog, config.replayWindow(), clock);
    }

    /**
     * The HTTPS listener outside sources deliver to; only when its port is configured. Built (and
     * bound) with the context, so a port in use stops start-up early; it accepts deliveries once
     * the service serves ({@link SourceListening}).
     */
    @Context
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "audit")
    @Requires(property = "portcullis.audit.sources.port")
    @Bean(preDestroy = "close")
    HttpsSourceListener sourcesListener(SourcesConfig config, TlsMaterial tls, SourceIntake intake) {
        return new HttpsSourceListener(config.host(), config.port(), tls.serverAuthContext(), intake,
                new HttpsSourceListener.Limits(config.maxBodyBytes(), config.requestTimeout(), config.maxConnections(),
                        config.threads()));
    }

    /** Checks the sources for silence now and then. */
    @Context
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "audit")
    @Bean(preDestroy = "close")
    SilenceWatch silenceWatch(SourceMonitor monitor, SourcesConfig config) {
        return new SilenceWatch(monitor, config.silenceCheckInterval());
    }

    @Singleton
    @Bean(preDestroy = "close")
    AuditIngest auditIngest(AuditStore store, CheckpointSigner signer, AuditConfig config, Clock clock,
            AlertPipeline alerts, Telemetry telemetry) {
        return new AuditIngest(store, signer, config.checkpointEvery(), config.checkpointInterval(), clock,
                List.of(alerts), telemetry);
    }

    /**
     * Publishes every signed checkpoint to the configured witnesses from its own thread; with none
     * configured it publishes nothing and says so once at start.
     */
    @Context
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "audit")
    @Bean(preDestroy = "close")
    WitnessPublisher witnessPublisher(WitnessesConfig config, S3WitnessConfig s3, AuditStore store, CheckpointSigner signer,
            HikariDataSource dataSource, AlertPipeline alerts, Clock clock) {
        List<CheckpointWitness> witnesses = new ArrayList<>();
        if (!config.webhooks().isEmpty()) {
            SSLContext trust;
            try {
                trust = config.caFile() == null ? SSLContext.getDefault() : PemFiles.trustingOnly(config.caFile());
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("no default TLS context", e);
            }
            for (WitnessesConfig.Webhook webhook : config.webhooks()) {
                witnesses.add(new TlogWitnessClient(webhook.name(), webhook.url(), trust, config.timeout(), webhook.cosigners()));
            }
        }
        if (s3.enabled()) {
            witnesses.add(new S3CheckpointArchive(s3Client(s3, config.timeout()), s3.bucket(), s3.prefix()));
        }
        if (witnesses.isEmpty()) {
            log.atInfo().log("audit.witnesses_none_configured");
        } else {
            log.atInfo().addKeyValue("witnesses", witnesses.stream().map(CheckpointWitness::name).toList())
                    .log("audit.witnesses_configured");
        }
        WitnessPublisher publisher = new WitnessPublisher(store, signer.publicKey(), new JdbcWitnessStore(dataSource), witnesses, alerts,
                new WitnessPublisher.Retry(config.initialBackoff(), config.maxBackoff(), config.alertAfterFailures()), clock);
        if (!witnesses.isEmpty()) {
            publisher.start(config.pollInterval());
        }
        return publisher;
    }

    /** The JDK's HTTP client, the SDK's default credentials chain, and a deadline of {@code timeout} per call. */
    private static S3Client s3Client(S3WitnessConfig s3, Duration timeout) {
        var builder = S3Client.builder()
                .region(Region.of(s3.region()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(timeout).socketTimeout(timeout))
                // the archive sends its own SHA-256 checksum, which Object Lock requires
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(timeout).apiCallTimeout(timeout.multipliedBy(3)));
        s3.endpointUri().ifPresent(endpoint -> builder.endpointOverride(endpoint).forcePathStyle(true));
        return builder.build();
    }

    @Singleton
    ChainVerification chainVerification(AuditStore store, CheckpointSigner signer, Telemetry telemetry) {
        return new ChainVerification(store, signer.publicKey(), telemetry);
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
            SourceMonitor sources, SourcesConfig sourcesConfig, Telemetry telemetry, List<OidcIssuerConfig> issuers,
            OidcDelegatesConfig delegates) {
        List<BindableService> services = List.of(new AuditGrpcService(ingest, store, verification, alerts, pipeline, sources,
                sourcesConfig.listenerEnabled(), telemetry));
        // people searching the log through the web console: their ID tokens, only from the console (issue 23)
        Optional<TokenAdmission> admission = OidcAdmission.delegatesOnly(
                issuers.stream().map(OidcIssuerConfig::issuer).toList(), delegates.identities(), clock);
        if (admission.isEmpty()) {
            return new ServiceServer("audit", config, tls, roles, services, audit, clock, telemetry);
        }
        // the console records its own refusals (a form without its CSRF token, a refused sign-in) with its
        // certificate alone; Append then takes only those actions from it (AuditGrpcService)
        return new ServiceServer("audit", config, tls, roles, services, audit, clock, telemetry,
                admission.get().withDelegateOwnMethods(Set.of("portcullis.v1.AuditService/Append")));
    }
}
