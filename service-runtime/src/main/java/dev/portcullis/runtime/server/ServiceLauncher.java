package dev.portcullis.runtime.server;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.health.ReadinessPoller;
import dev.portcullis.runtime.logging.ConsoleLogs;
import dev.portcullis.runtime.telemetry.TelemetrySource;
import dev.portcullis.runtime.transport.ServiceServer;
import io.micronaut.context.ApplicationContext;
import io.micronaut.inject.qualifiers.Qualifiers;
import java.util.Map;
import java.util.Optional;

/**
 * Starts one service: a Micronaut context for its configuration and wiring, then its gRPC
 * server, which every service's factory registers as a {@link ServiceServer} bean named after
 * the service, then its background work (listeners of {@link ServiceStarted}), and then the
 * {@link ReadinessPoller} that keeps the server's health status true to the service's readiness
 * checks. Closing the context publishes Micronaut's {@code ShutdownEvent} before any bean is
 * destroyed: background work that must stop before the server does listens to it. Several services can run in one JVM (dev mode), each in its own
 * context.
 */
public final class ServiceLauncher {
    /** Set by the launcher in each service's context: which service it is. */
    public static final String SERVICE_NAME_PROPERTY = "portcullis.service-name";

    private ServiceLauncher() {}

    /**
     * Starts service {@code name} and returns once it serves.
     *
     * @param properties configuration, taking precedence over every other source
     * @param readEnvironment whether environment variables are read too (true in production;
     *     false in dev mode and tests, so the services of one JVM stay apart). In production the
     *     service also refuses development material and settings ({@link ProductionSafety}).
     * @throws RuntimeException naming the offending setting when configuration is invalid or
     *     the port cannot be bound; the context is closed again
     */
    public static RunningService start(String name, Map<String, Object> properties, boolean readEnvironment) {
        return start(name, properties, readEnvironment, Optional.empty());
    }

    /**
     * As {@link #start(String, Map, boolean)}, with the service's telemetry taken from
     * {@code telemetry} (tests: in-memory exporters) instead of the {@code OTEL_*} environment.
     */
    public static RunningService start(String name, Map<String, Object> properties, boolean readEnvironment,
            Optional<TelemetrySource> telemetry) {
        requireNonNull(name, "name is null");
        Map<String, Object> all = new java.util.HashMap<>(properties);
        all.put(SERVICE_NAME_PROPERTY, name);
        ApplicationContext context = ApplicationContext.builder()
                .properties(Map.copyOf(all))
                .environmentPropertySource(readEnvironment)
                .deduceEnvironment(false)
                .banner(false)
                .singletons(telemetry.map(source -> new Object[] {source}).orElse(new Object[0]))
                .build();
        try {
            context.start();
            if (readEnvironment) {
                ProductionSafety.check(name, context);
            }
            ServiceServer server = context.getBean(ServiceServer.class, Qualifiers.byName(name));
            server.start();
            context.getEventPublisher(ServiceStarted.class).publishEvent(new ServiceStarted(name));
            context.getBean(ReadinessPoller.class).start();
            return new RunningService(name, context, server);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /**
     * Runs service {@code name} configured from the environment until the JVM is asked to stop
     * (SIGTERM, Ctrl-C), then shuts it down gracefully. Logs go to standard output as JSON lines
     * ({@link ConsoleLogs}). A configuration error ends the process with status 1 and one line
     * naming the setting.
     */
    public static void runUntilShutdown(String name) throws InterruptedException {
        RunningService service;
        try {
            ConsoleLogs.install(name, System.getenv());
            service = start(name, Map.of(), true);
        } catch (RuntimeException e) {
            System.err.println("portcullis " + name + ": cannot start: " + StartupFailure.describe(e));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, name + "-shutdown"));
        service.server().awaitTermination();
    }

    /** A started service. {@link #close()} stops its server gracefully and closes its context. */
    public record RunningService(String name, ApplicationContext context, ServiceServer server) implements AutoCloseable {
        /** The port the service listens on. */
        public int port() {
            return server.port();
        }

        @Override
        public void close() {
            if (context.isRunning()) {
                context.close();
            }
        }
    }
}
