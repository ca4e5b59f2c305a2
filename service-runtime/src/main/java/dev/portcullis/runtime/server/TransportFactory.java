package dev.portcullis.runtime.server;

import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.role.RolesConfig;
import dev.portcullis.runtime.transport.ServiceChannels;
import dev.portcullis.runtime.transport.TlsConfig;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
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
    ServiceChannels serviceChannels(TlsMaterial tls) {
        return new ServiceChannels(tls);
    }

    /** The clock all domain code reads time from. */
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
