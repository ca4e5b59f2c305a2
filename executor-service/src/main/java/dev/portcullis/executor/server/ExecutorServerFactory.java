package dev.portcullis.executor.server;

import dev.portcullis.executor.api.ExecutorGrpcService;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;

/** Composition root of the executor service. */
@Factory
public final class ExecutorServerFactory {

    /** The executor service's gRPC server; stopped gracefully when the context closes. */
    @Singleton
    @Named("executor")
    @Bean(preDestroy = "close")
    ServiceServer executorServer(ServerConfig config, TlsMaterial tls, RoleMapping roles, AuditRecorder audit, Clock clock) {
        return new ServiceServer("executor", config, tls, roles, List.of(new ExecutorGrpcService()), audit, clock);
    }
}
