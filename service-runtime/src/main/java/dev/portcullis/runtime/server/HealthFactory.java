package dev.portcullis.runtime.server;

import dev.portcullis.runtime.health.HealthConfig;
import dev.portcullis.runtime.health.ReadinessCheck;
import dev.portcullis.runtime.health.ReadinessPoller;
import dev.portcullis.runtime.transport.ServiceServer;
import io.micronaut.context.BeanContext;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.inject.qualifiers.Qualifiers;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Feeds the service's {@code grpc.health.v1} status from the {@link ReadinessCheck} beans its
 * composition root declares (each {@code @Requires} its service's name, since dev mode puts every
 * service's factories in each context); {@link ServiceLauncher} starts the poller once the server
 * serves.
 */
@Factory
public final class HealthFactory {

    @Singleton
    @Bean(preDestroy = "close")
    ReadinessPoller readinessPoller(List<ReadinessCheck> checks, HealthConfig config, BeanContext beans,
            @Value("${" + ServiceLauncher.SERVICE_NAME_PROPERTY + "}") String service) {
        // by name: in dev mode every service's factories are on the classpath of each context
        return new ReadinessPoller(service, checks, config, beans.getBean(ServiceServer.class, Qualifiers.byName(service)));
    }
}
