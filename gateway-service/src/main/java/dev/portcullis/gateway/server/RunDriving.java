package dev.portcullis.gateway.server;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.drift.DriftLoop;
import dev.portcullis.gateway.run.RunDriver;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.server.ServiceStarted;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts the run driver (and, when enabled, the drift scheduler's loop) once the gateway's server
 * is up, and stops them when the gateway shuts down, before the server and everything they use are
 * closed (Micronaut publishes {@link ShutdownEvent} before destroying any bean).
 */
@Singleton
@Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "gateway")
final class RunDriving {
    private final BeanProvider<RunDriver> driver; // a provider: a start-up that fails early never builds the driver
    private final BeanProvider<DriftLoop> drift;
    private final DriftConfig driftConfig;
    private final AtomicBoolean started = new AtomicBoolean();

    RunDriving(BeanProvider<RunDriver> driver, BeanProvider<DriftLoop> drift, DriftConfig driftConfig) {
        this.driver = requireNonNull(driver, "driver is null");
        this.drift = requireNonNull(drift, "drift is null");
        this.driftConfig = requireNonNull(driftConfig, "driftConfig is null");
    }

    @EventListener
    void serviceStarted(ServiceStarted event) {
        if (started.compareAndSet(false, true)) {
            driver.get().start();
            if (driftConfig.enabled()) {
                drift.get().start();
            }
        }
    }

    @EventListener
    void shuttingDown(ShutdownEvent event) {
        if (started.compareAndSet(true, false)) {
            if (driftConfig.enabled()) {
                drift.get().close();
            }
            driver.get().close();
        }
    }
}
