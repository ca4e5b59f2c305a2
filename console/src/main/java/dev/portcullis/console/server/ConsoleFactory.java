package dev.portcullis.console.server;

import dev.portcullis.console.alerts.AlertPages;
import dev.portcullis.console.api.AuditCalls;
import dev.portcullis.console.api.GatewayCalls;
import dev.portcullis.console.audit.AuditPage;
import dev.portcullis.console.audit.SourcesPage;
import dev.portcullis.console.drift.DriftPage;
import dev.portcullis.console.refusal.SpooledRefusals;
import dev.portcullis.console.runs.RunPages;
import dev.portcullis.console.signin.OidcClient;
import dev.portcullis.console.signin.OidcSignIn;
import dev.portcullis.console.http.ConsoleHttpServer;
import dev.portcullis.console.web.EventStream;
import dev.portcullis.console.web.Route;
import dev.portcullis.console.web.SessionStore;
import dev.portcullis.console.web.SignInRoutes;
import dev.portcullis.console.web.StaticAssets;
import dev.portcullis.runtime.outbox.AuditOutbox;
import dev.portcullis.runtime.outbox.GrpcAuditShipper;
import dev.portcullis.runtime.outbox.OutboxConfig;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.transport.ServiceChannels;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.grpc.ManagedChannel;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/** The console's composition root: builds the pages, the sign-in and the server from the configuration records. */
@Factory
@Requires(property = "portcullis.service-name", value = "console")
final class ConsoleFactory {

    @Singleton
    @Named("gateway")
    @Bean(preDestroy = "shutdownNow")
    ManagedChannel gatewayChannel(ConsoleConfig config, ServiceChannels channels) {
        return channels.open(config.gatewayAddress());
    }

    @Singleton
    @Named("audit")
    @Bean(preDestroy = "shutdownNow")
    ManagedChannel auditChannel(ConsoleConfig config, ServiceChannels channels) {
        return channels.open(config.auditAddress());
    }

    @Singleton
    SessionStore sessions(ConsoleConfig config, Clock clock) {
        return new SessionStore(clock, config.sessionIdleTimeout());
    }

    @Singleton
    OidcSignIn signIn(ConsoleConfig console, ConsoleOidcConfig config, Clock clock) {
        Optional<OidcClient.ClientSecret> secret = Optional.empty();
        if (config.clientSecretFile() != null) {
            try {
                secret = Optional.of(new OidcClient.ClientSecret(Files.readString(config.clientSecretFile(), StandardCharsets.UTF_8).strip()));
            } catch (IOException e) {
                throw new UncheckedIOException("portcullis.console.oidc.client-secret-file cannot be read: " + config.clientSecretFile(), e);
            }
        }
        SSLContext trust;
        try {
            trust = config.caFile() == null ? SSLContext.getDefault() : PemFiles.trustingOnly(config.caFile());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK offers no TLS context", e);
        }
        OidcClient client = new OidcClient(config.issuerUrl(), config.clientId(), secret, console.redirectUri(), config.scopes(),
                config.fetchTimeout());
        return new OidcSignIn(client, trust, clock);
    }

    /**
     * The console's own refusals, through a disk spool in {@code portcullis.audit-outbox.spool-dir} (required: a
     * missing one stops startup naming it) to the audit service's {@code Append}, as the console's identity.
     */
    @Singleton
    @Bean(preDestroy = "close")
    SpooledRefusals refusals(ConsoleConfig config, OutboxConfig outbox, Clock clock, @Named("audit") ManagedChannel audit) {
        AuditOutbox spool = new AuditOutbox(outbox, new GrpcAuditShipper(audit, config.callTimeout()), clock);
        return new SpooledRefusals(spool, clock, SpooledRefusals.DEFAULT_PER_SECOND_PER_SOURCE);
    }

    @Singleton
    @Bean(preDestroy = "close")
    ConsoleHttpServer server(ConsoleConfig config, TlsMaterial tls, SessionStore sessions, OidcSignIn signIn,
            @Named("gateway") ManagedChannel gateway, @Named("audit") ManagedChannel audit, SpooledRefusals refusals) {
        GatewayCalls gatewayCalls = new GatewayCalls(gateway, config.callTimeout());
        RunPages runs = new RunPages(gatewayCalls);
        AuditCalls auditCalls = new AuditCalls(audit, config.callTimeout());
        AuditPage auditPage = new AuditPage(auditCalls);
        AlertPages alerts = new AlertPages(auditCalls);
        List<Route> routes = new ArrayList<>(StaticAssets.routes());
        routes.addAll(new SignInRoutes(signIn, sessions, refusals).routes());
        routes.add(SignInRoutes.signedOut());
        routes.addAll(runs.routes());
        routes.addAll(auditPage.routes());
        routes.addAll(alerts.routes());
        routes.addAll(new DriftPage(gatewayCalls).routes());
        routes.addAll(new SourcesPage(auditCalls).routes());
        List<EventStream> streams = new ArrayList<>(runs.streams());
        streams.addAll(alerts.streams());
        return new ConsoleHttpServer(config.host(), config.port(), tls.serverAuthContext(), config.publicUrl(), sessions, routes, streams,
                ConsoleHttpServer.DEFAULT_MAX_STREAMS, refusals);
    }
}
