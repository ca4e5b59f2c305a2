package dev.portcullis.audit.server;

import dev.portcullis.audit.api.AuditGrpcService;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.List;

/** Composition root of the audit service. */
@Factory
public final class AuditServerFactory {

    /** The audit service's gRPC server; stopped gracefully when the context closes. */
    @Singleton
    @Named("audit")
    @Bean(preDestroy = "close")
    ServiceServer auditServer(ServerConfig config, TlsMaterial tls, RoleMapping roles) {
        return new ServiceServer("audit", config, tls, roles, List.of(new AuditGrpcService()));
    }
}
