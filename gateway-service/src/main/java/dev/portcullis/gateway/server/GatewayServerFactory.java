package dev.portcullis.gateway.server;

import dev.portcullis.gateway.api.GatewayGrpcService;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceChannels;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;

/** Composition root of the gateway service. */
@Factory
public final class GatewayServerFactory {

    /** The gateway's channels to its neighbours, with its own identity. */
    @Singleton
    @Bean(preDestroy = "close")
    Neighbours neighbours(GatewayConfig config, ServiceChannels channels) {
        return new Neighbours(config, channels);
    }

    /**
     * The gateway service's gRPC server; stopped gracefully when the context closes. It takes the
     * neighbours so a missing neighbour address stops start-up, and the channels close after it.
     */
    @Singleton
    @Named("gateway")
    @Bean(preDestroy = "close")
    ServiceServer gatewayServer(ServerConfig config, TlsMaterial tls, RoleMapping roles, Neighbours neighbours, AuditRecorder audit, Clock clock) {
        return new ServiceServer("gateway", config, tls, roles, List.of(new GatewayGrpcService()), audit, clock);
    }
}
