package dev.portcullis.gateway.server;

import dev.portcullis.gateway.api.GatewayGrpcService;
import dev.portcullis.gateway.approval.WebhookApprovalAnnouncer;
import dev.portcullis.gateway.client.GrpcCatalogSource;
import dev.portcullis.gateway.client.GrpcPolicyCheck;
import dev.portcullis.gateway.client.GrpcRefHeads;
import dev.portcullis.gateway.client.GrpcTaskRunner;
import dev.portcullis.gateway.drift.DriftChecks;
import dev.portcullis.gateway.drift.DriftLoop;
import dev.portcullis.gateway.drift.DriftScheduler;
import dev.portcullis.gateway.drift.DriftSettings;
import dev.portcullis.gateway.drift.DriftStore;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunDriver;
import dev.portcullis.gateway.run.RunService;
import dev.portcullis.gateway.run.RunSettings;
import dev.portcullis.gateway.run.RunSignals;
import dev.portcullis.gateway.run.RunStore;
import dev.portcullis.gateway.store.ObservedRunStore;
import dev.portcullis.gateway.store.jdbc.JdbcDriftStore;
import dev.portcullis.gateway.store.jdbc.JdbcRunStore;
import dev.portcullis.runtime.audit.AuditClientConfig;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.chat.ChatWebhook;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.database.JdbcReadinessCheck;
import dev.portcullis.runtime.health.HealthConfig;
import dev.portcullis.runtime.health.Readiness;
import dev.portcullis.runtime.health.ReadinessCheck;
import dev.portcullis.runtime.identity.CertificateIdentity;
import dev.portcullis.runtime.identity.InvalidIdentityException;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.oidc.OidcAdmission;
import dev.portcullis.runtime.oidc.OidcDelegatesConfig;
import dev.portcullis.runtime.oidc.OidcIssuer;
import dev.portcullis.runtime.oidc.OidcIssuerConfig;
import dev.portcullis.runtime.outbox.GrpcAuditShipper;
import dev.portcullis.runtime.outbox.OutboxConfig;
import dev.portcullis.runtime.outbox.jdbc.AuditOutboxTable;
import dev.portcullis.runtime.outbox.jdbc.JdbcAuditOutbox;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.server.TransportFactory;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceChannels;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsConfig;
import dev.portcullis.runtime.transport.TlsMaterial;
import dev.portcullis.runtime.transport.TokenAdmission;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Composition root of the gateway service. */
@Factory
public final class GatewayServerFactory {

    /** The gateway's channels to its neighbours, with its own identity. */
    @Singleton
    @Bean(preDestroy = "close")
    Neighbours neighbours(GatewayConfig config, ServiceChannels channels) {
        return new Neighbours(config, channels);
    }

    /** The run database, migrated to the newest schema. */
    @Singleton
    @Bean(preDestroy = "close")
    RunDatabase runDatabase(StoreConfig config) {
        String password = "";
        if (config.dbPasswordFile() != null) {
            try {
                password = Files.readString(config.dbPasswordFile(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("portcullis.gateway.store.db-password-file cannot be read: "
                        + config.dbPasswordFile(), e);
            }
        }
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("portcullis.gateway.store.data-dir cannot be created: " + config.dataDir(), e);
        }
        return new RunDatabase(Databases.open("gateway", config.effectiveJdbcUrl(), config.dbUser(), password, "",
                config.maxConnections()));
    }

    /** Ready while the run database answers (runs, locks and queues live there). */
    @Singleton
    @Named("database")
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "gateway")
    ReadinessCheck databaseReadiness(RunDatabase database, HealthConfig health) {
        return new JdbcReadinessCheck(database.dataSource(), health.checkTimeout());
    }

    /**
     * The audit outbox table in the run database: run changes and drift results store their audit
     * events in it in their own transaction, and every other audit event of the gateway goes there
     * too ({@link #auditOutbox}); the gateway has no disk spool.
     */
    @Singleton
    AuditOutboxTable auditOutboxTable(Clock clock) {
        return new AuditOutboxTable(clock);
    }

    /**
     * The gateway's audit recorder, in place of the runtime's disk spool (or the unrouted recorder):
     * its events wait in the run database, where every replica can ship them, and go to the audit
     * service over the neighbour channel, each call bounded by {@code portcullis.audit-client.call-timeout}.
     * Shipping starts once the gateway serves; it stops before the database closes.
     */
    @Singleton
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "gateway")
    @Replaces(bean = AuditRecorder.class, factory = TransportFactory.class)
    @Bean(preDestroy = "close")
    JdbcAuditOutbox auditOutbox(RunDatabase database, AuditOutboxTable table, OutboxConfig config, AuditClientConfig client,
            Neighbours neighbours, Clock clock, Telemetry telemetry) {
        JdbcAuditOutbox outbox = new JdbcAuditOutbox(database.dataSource(), table, config,
                new GrpcAuditShipper(neighbours.audit(), client.callTimeout()), clock);
        outbox.reportTo(telemetry);
        return outbox;
    }

    /** Ready while audit events can be delivered or kept: otherwise new runs are refused (fail closed). */
    @Singleton
    @Named("audit-outbox")
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "gateway")
    ReadinessCheck auditOutboxReadiness(AuditRecorder audit) {
        return ReadinessCheck.of("audit-outbox", () -> audit.healthy() ? Readiness.READY
                : Readiness.notReady("audit events can be neither delivered nor kept; new runs are refused"));
    }

    @Singleton
    RunStore runStore(RunDatabase database, Clock clock, StoreConfig config, Telemetry telemetry, AuditOutboxTable audit) {
        return new ObservedRunStore(new JdbcRunStore(database.dataSource(), clock, audit), telemetry,
                config.effectiveJdbcUrl().startsWith("jdbc:postgresql:") ? "postgresql" : "h2", clock);
    }

    @Singleton
    RunSignals runSignals() {
        return new RunSignals();
    }

    @Singleton
    RunSettings runSettings(RunsConfig config, OidcLimitsConfig oidc) {
        return new RunSettings(config.approvalTtl(), config.taskTimeout(), config.submitsPerMinute(), config.maxActiveRuns(),
                config.lease(), config.pollInterval(), config.taskFollowers(), oidc.maxRunsPerToken());
    }

    @Singleton
    GrpcPolicyCheck policyCheck(Neighbours neighbours) {
        return new GrpcPolicyCheck(neighbours.policy(), neighbours.callTimeout());
    }

    @Singleton
    GrpcTaskRunner taskRunner(Neighbours neighbours) {
        return new GrpcTaskRunner(neighbours.executor(), neighbours.callTimeout());
    }

    @Singleton
    @Bean(preDestroy = "close")
    WebhookApprovalAnnouncer approvalAnnouncer(RunsConfig config, GatewayConfig gateway, RunStore store, Clock clock) {
        List<ChatWebhook> webhooks = new ArrayList<>();
        for (int i = 0; i < config.approvalWebhookUrls().size(); i++) {
            try {
                webhooks.add(new ChatWebhook(URI.create(config.approvalWebhookUrls().get(i)), config.webhookTimeout()));
            } catch (IllegalArgumentException e) {
                // the URL may carry a token: never quote it
                throw new IllegalArgumentException("portcullis.gateway.runs.approval-webhook-urls[" + i + "] must be an "
                        + "absolute http(s) URL with a host");
            }
        }
        return new WebhookApprovalAnnouncer(webhooks, run -> run.spec().planRun().flatMap(store::find)
                .flatMap(plan -> plan.artifact().map(a -> "plan run " + plan.id() + ", digest " + a.sha256() + " ("
                        + a.sizeBytes() + " bytes)"))
                .orElse(""), run -> run.spec().planRun().flatMap(store::find).flatMap(Run::planSummary),
                run -> gateway.console().map(console -> console.runPage(run.id())), clock);
    }

    @Singleton
    RunService runService(RunStore store, GrpcPolicyCheck policy, GrpcTaskRunner tasks, AuditRecorder audit,
            WebhookApprovalAnnouncer announcer, RunSignals signals, RunSettings settings, Clock clock) {
        return new RunService(store, policy, tasks, audit, announcer, signals, settings, clock);
    }

    /** Drives queued and running runs; started once the server is up, stopped before it ({@link RunDriving}). */
    @Singleton
    RunDriver runDriver(RunStore store, GrpcPolicyCheck policy, GrpcTaskRunner tasks, AuditRecorder audit, RunSignals signals,
            RunSettings settings, Clock clock, TlsConfig tls, Telemetry telemetry) {
        return new RunDriver(store, policy, tasks, audit, signals, settings, clock, ownIdentity(tls), telemetry);
    }

    /** The drift targets' schedule and results, in the run database. */
    @Singleton
    DriftStore driftStore(RunDatabase database, Clock clock, AuditOutboxTable audit) {
        return new JdbcDriftStore(database.dataSource(), clock, audit);
    }

    /**
     * Submits and records the catalog's drift checks: in rounds of the {@link DriftLoop}, and when
     * an admin asks for one ({@link DriftChecks}). The catalog is the policy service's
     * ({@code GetCatalog}): the one that decides the checks. A check plans the head of its ref as
     * the executor resolves it ({@code ResolveRef}): the executor holds repository access.
     */
    @Singleton
    DriftScheduler driftScheduler(DriftConfig config, DriftStore store, Neighbours neighbours, RunService runs, Clock clock,
            TlsConfig tls, Telemetry telemetry) {
        SpiffeId gateway = new SpiffeId(ownIdentity(tls));
        return new DriftScheduler(store, new GrpcCatalogSource(neighbours.policy(), neighbours.callTimeout()),
                new GrpcRefHeads(neighbours.executor(), REF_RESOLUTION_DEADLINE), runs,
                new DriftSettings(config.scheduler(gateway), config.maxConcurrentChecks(), DRIFT_CLAIM), clock,
                UUID.randomUUID().toString(), telemetry);
    }

    /**
     * Runs the drift scheduler's rounds on a thread of its own; started with the run driver when
     * {@code portcullis.gateway.drift.enabled} ({@link RunDriving}).
     */
    @Singleton
    @Bean(preDestroy = "close")
    DriftLoop driftLoop(DriftConfig config, DriftScheduler scheduler) {
        return new DriftLoop(scheduler, config.interval());
    }

    /** Drift targets as the API shows them, and checks asked for now. */
    @Singleton
    DriftChecks driftChecks(DriftConfig config, DriftStore store, DriftScheduler scheduler, RunService runs,
            AuditRecorder audit, Clock clock) {
        return new DriftChecks(store, scheduler, runs, audit, clock, config.enabled());
    }

    /** The deadline of one ResolveRef: longer than the executor's own 30 s bound on reading a repository's refs. */
    private static final Duration REF_RESOLUTION_DEADLINE = Duration.ofSeconds(45);

    /** How long a replica holds a due drift target while it submits the check: far longer than a policy call. */
    private static final Duration DRIFT_CLAIM = Duration.ofMinutes(2);

    /**
     * The SPIFFE ID in this gateway's own certificate, which the driver records as the actor of
     * what it does on its own (expiries, endings). The certificate is required ({@link TlsConfig});
     * one that cannot be read, parsed or carries no SPIFFE ID stops start-up naming the file.
     */
    private static String ownIdentity(TlsConfig tls) {
        Path file = tls.certFile();
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(file)) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new UncheckedIOException("portcullis.tls.cert-file cannot be read: " + file, e);
        } catch (CertificateException | ClassCastException e) {
            throw new IllegalStateException("portcullis.tls.cert-file " + file + " is not a PEM X.509 certificate", e);
        }
        try {
            return CertificateIdentity.of(certificate).value();
        } catch (InvalidIdentityException e) {
            throw new IllegalStateException("portcullis.tls.cert-file " + file + " names no identity of this gateway: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The gateway service's gRPC server; stopped gracefully when the context closes. It takes the
     * neighbours so a missing neighbour address stops start-up, and the channels close after it.
     */
    @Singleton
    @Named("gateway")
    @Bean(preDestroy = "close")
    ServiceServer gatewayServer(ServerConfig config, TlsMaterial tls, RoleMapping roles, Neighbours neighbours, AuditRecorder audit,
            Clock clock, RunService runs, DriftChecks drift, Telemetry telemetry, List<OidcIssuerConfig> issuers,
            OidcDelegatesConfig delegates) {
        GatewayGrpcService service = new GatewayGrpcService(runs, drift, audit, clock);
        // a bad issuer setting stops start-up naming its key, before the port is bound
        List<OidcIssuer> accepted = issuers.stream().map(OidcIssuerConfig::issuer).toList();
        Optional<TokenAdmission> admission = OidcAdmission.gateway(accepted, delegates.identities(), clock);
        if (admission.isEmpty()) {
            return new ServiceServer("gateway", config, tls, roles, List.of(service), audit, clock, telemetry);
        }
        return new ServiceServer("gateway", config, tls, roles, List.of(service), audit, clock, telemetry,
                admission.get());
    }
}
