package dev.portcullis.runtime.server;

import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.role.RolesConfig;
import dev.portcullis.runtime.transport.ServiceChannels;
import dev.portcullis.runtime.transport.TlsConfig;
import dev.portcullis.runtime.transport.TlsMaterial;
import dev.portcullis.runtime.audit.AuditClientConfig;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.audit.UnroutedAuditRecorder;
import dev.portcullis.runtime.outbox.AuditOutbox;
import dev.portcullis.runtime.outbox.GrpcAuditShipper;
import dev.portcullis.runtime.outbox.OutboxAuditRecorder;
import dev.portcullis.runtime.outbox.OutboxConfig;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.telemetry.TelemetryConfig;
import dev.portcullis.runtime.telemetry.TelemetryEnvironment;
import dev.portcullis.runtime.telemetry.TelemetrySource;
import io.grpc.ManagedChannel;
import io.micronaut.context.annotation.Secondary;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Builds what every service's transport needs from its configuration records. */
@Factory
public final class TransportFactory {

    /** The service's TLS material, watched for rotation until the context closes. */
    @Singleton
    @Bean(preDestroy = "close")
    TlsMaterial tlsMaterial(TlsConfig config) {
        return TlsMaterial.load(config);
    }

    /** The role mapping; a bad pattern stops start-up naming the property. */
    @Singleton
    RoleMapping roleMapping(RolesConfig config) {
        return RoleMapping.from(config);
    }

    /** Channels to the suite's other services, with this service's identity. */
    @Singleton
    ServiceChannels serviceChannels(TlsMaterial tls, Telemetry telemetry) {
        return new ServiceChannels(tls, telemetry);
    }

    /** Telemetry from the environment's {@code OTEL_*} variables, unless the launcher was given a source. */
    @Singleton
    @Secondary
    TelemetrySource environmentTelemetry() {
        return (service, config) -> TelemetryEnvironment.build(service, config);
    }

    /** This service's traces and metrics; flushed when the context closes. */
    @Singleton
    @Bean(preDestroy = "close")
    Telemetry telemetry(TelemetrySource source, TelemetryConfig config,
            @Value("${" + ServiceLauncher.SERVICE_NAME_PROPERTY + "}") String service) {
        return source.forService(service, config);
    }

    /**
     * Audit delivery through the durable outbox, when the audit service's address is configured.
     * The audit service itself records locally instead. Shipping starts once the service serves
     * ({@link AuditShipping}); events recorded before then wait in the spool.
     */
    @Singleton
    @Requires(property = "portcullis.audit-client.address")
    @Bean(preDestroy = "close")
    OutboxAuditRecorder outboxAuditRecorder(AuditClientConfig client, OutboxConfig outbox, ServiceChannels channels, Clock clock,
            Telemetry telemetry) {
        ManagedChannel channel = channels.open(client.address());
        AuditOutbox spool = new AuditOutbox(outbox, new GrpcAuditShipper(channel, client.callTimeout()), clock);
        OutboxAuditRecorder recorder = new OutboxAuditRecorder(spool, channel);
        recorder.reportTo(telemetry);
        return recorder;
    }

    /** Without an audit service: events are logged and audit delivery reports itself unhealthy. */
    @Singleton
    @Requires(missingProperty = "portcullis.audit-client.address")
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, notEquals = "audit")
    AuditRecorder unroutedAuditRecorder() {
        return new UnroutedAuditRecorder();
    }

    /** The clock all domain code reads time from. */
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
