package dev.portcullis.runtime.server;

import static java.util.Objects.requireNonNull;

/**
 * Published in a service's context by {@link ServiceLauncher} once the service's gRPC server
 * serves: the point where its background work (run driving, audit shipping, the sources
 * listener) starts. A listener that throws stops start-up like a configuration error does.
 *
 * @param service the service's name, as in {@link ServiceLauncher#SERVICE_NAME_PROPERTY}
 */
public record ServiceStarted(String service) {
    public ServiceStarted {
        requireNonNull(service, "service is null");
    }
}
