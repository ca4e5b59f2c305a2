package dev.portcullis.audit.server;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.source.listener.HttpsSourceListener;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.server.ServiceStarted;
import io.micronaut.context.annotation.Requires;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;

/**
 * Opens the sources listener to deliveries once the audit service serves; it stops when the
 * context closes. Only where the listener exists: its port is configured.
 */
@Singleton
@Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "audit")
@Requires(property = "portcullis.audit.sources.port")
final class SourceListening {
    private final HttpsSourceListener listener;

    SourceListening(HttpsSourceListener listener) {
        this.listener = requireNonNull(listener, "listener is null");
    }

    @EventListener
    void serviceStarted(ServiceStarted event) {
        listener.start();
    }
}
