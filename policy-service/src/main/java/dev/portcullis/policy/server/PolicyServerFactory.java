package dev.portcullis.policy.server;

import dev.portcullis.policy.api.PolicyGrpcService;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.List;

/** Composition root of the policy service. */
@Factory
public final class PolicyServerFactory {

    /** The policy service's gRPC server; stopped gracefully when the context closes. */
    @Singleton
    @Named("policy")
    @Bean(preDestroy = "close")
    ServiceServer policyServer(ServerConfig config, TlsMaterial tls, RoleMapping roles) {
        return new ServiceServer("policy", config, tls, roles, List.of(new PolicyGrpcService()));
    }
}
