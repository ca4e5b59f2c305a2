package dev.portcullis.console.server;

import static java.util.Objects.requireNonNull;

import dev.portcullis.console.http.ConsoleHttpServer;
import dev.portcullis.runtime.logging.ConsoleLogs;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.transport.TlsConfig;
import io.micronaut.context.ApplicationContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the console: a Micronaut context for its configuration and wiring (the runtime's TLS
 * material, watched for rotation, and channels with the console's identity), then its HTTPS
 * server. Several consoles and services can run in one JVM (dev mode), each in its own context.
 */
public final class ConsoleLauncher {
    /** The console's name, as its context and its logs know it. */
    public static final String NAME = "console";

    private ConsoleLauncher() {}

    /**
     * Starts the console and returns once it serves.
     *
     * @param properties configuration, taking precedence over every other source
     * @param readEnvironment whether environment variables are read too (production: development
     *     material is then refused, {@link ConsoleProductionSafety}), or not (dev mode, tests)
     * @throws RuntimeException naming the offending setting; the context is closed again
     */
    public static RunningConsole start(Map<String, Object> properties, boolean readEnvironment) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put(ServiceLauncher.SERVICE_NAME_PROPERTY, NAME);
        ApplicationContext context = ApplicationContext.builder().properties(Map.copyOf(all))
                .environmentPropertySource(readEnvironment).deduceEnvironment(false).banner(false).build();
        try {
            context.start();
            if (readEnvironment) {
                ConsoleProductionSafety.check(context.getBean(TlsConfig.class), context.getBean(ConsoleOidcConfig.class));
            }
            ConsoleHttpServer server = context.getBean(ConsoleHttpServer.class);
            server.start();
            return new RunningConsole(context, server);
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    /** Runs the console configured from the environment until the JVM is asked to stop. */
    public static void runUntilShutdown() throws InterruptedException {
        RunningConsole console;
        try {
            ConsoleLogs.install(NAME, System.getenv());
            console = start(Map.of(), true);
        } catch (RuntimeException e) {
            System.err.println("portcullis console: cannot start: " + StartupFailure.describe(e));
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            console.close();
            stopped.countDown();
        }, "console-shutdown"));
        stopped.await();
    }

    /** A started console; {@link #close()} stops it. */
    public record RunningConsole(ApplicationContext context, ConsoleHttpServer server) implements AutoCloseable {
        public RunningConsole {
            requireNonNull(context, "context is null");
            requireNonNull(server, "server is null");
        }

        /** The port the console listens on. */
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
