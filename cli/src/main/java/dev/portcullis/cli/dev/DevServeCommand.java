package dev.portcullis.cli.dev;

import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.server.ServiceLauncher.RunningService;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis dev serve NAME}: one service of the dev suite in this process, on the fixed
 * port dev mode gives it, against a data directory {@code portcullis dev} (or the reliability
 * suite) prepared. Four such processes make the dev suite with each service killable on its own.
 * The database password is read by the service from a file: it never appears in argv or a log.
 * Holds the data directory's lock shared with the suite's other dev serve processes, so it refuses
 * to start while a {@code portcullis dev} holds the directory, and keeps one from starting on it.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {
            "Runs ONE service of the dev suite (gateway, policy, executor or audit) in this process. FOR DEVELOPMENT ONLY.",
            "Its neighbours are expected on their dev ports (gateway at --base-port, policy, executor, audit the next three).",
            "The data directory must have been prepared (run `portcullis dev` once on it). Stops on Ctrl-C or SIGTERM."})
public final class DevServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The service: gateway, policy, executor or audit.")
    String name;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ".portcullis",
            description = "The prepared data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--base-port", paramLabel = "N", defaultValue = "7443",
            description = "The gateway's port; policy, executor and audit take the next three (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--jdbc-url", paramLabel = "URL", description = "gateway, executor and audit: a PostgreSQL (or H2) JDBC URL instead of embedded H2.")
    Optional<String> jdbcUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "gateway, executor and audit: the database user.")
    Optional<String> dbUser;

    @Option(names = "--db-password-file", paramLabel = "FILE", description = "gateway, executor and audit: a file holding the database password.")
    Optional<Path> dbPasswordFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any further service property, e.g. --set portcullis.gateway.runs.lease=3s (repeatable).")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> properties = configuration();
        // shared: the suite's other dev serve processes use the directory too, a portcullis dev must not
        DataDirectoryLock lock = DataDirectoryLock.share(dataDir.toAbsolutePath());
        out.println("*** portcullis dev serve " + name
                + ": FOR DEVELOPMENT ONLY. Dev CA, loopback only, nothing here is production-safe. ***");
        out.flush();
        RunningService service;
        try {
            service = ServiceLauncher.start(name, properties, false);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } finally {
                lock.close();
                stopped.countDown();
            }
        }, "dev-serve-shutdown"));
        out.printf("portcullis dev serve: %s serving on localhost:%d (%s), pid %d%n", name, service.port(),
                DevService.named(name).member().identity(), ProcessHandle.current().pid());
        out.flush();
        stopped.await();
        return ExitStatus.SUCCESS.code();
    }

    /** The service's dev configuration with the database and the extra settings laid over it. */
    Map<String, Object> configuration() {
        Path prepared = dataDir.toAbsolutePath();
        if (!Files.isRegularFile(prepared.resolve("pki").resolve("ca.pem"))
                || !Files.isRegularFile(prepared.resolve("catalog.yaml"))) {
            throw new ParameterException(spec.commandLine(), "--data-dir " + prepared + " is not a prepared dev data directory "
                    + "(no pki/ca.pem or catalog.yaml); run `portcullis dev --data-dir " + prepared + "` once first");
        }
        DevMode.Prepared data = new DevMode.Prepared(prepared, new DevPki(prepared.resolve("pki")),
                prepared.resolve("catalog.yaml"), prepared.resolve("repos").resolve("example").toString());
        DevService service = DevService.named(name);
        Map<String, Object> properties = new HashMap<>(DevMode.serviceConfiguration(service, data, basePort));
        boolean database = jdbcUrl.isPresent() || dbUser.isPresent() || dbPasswordFile.isPresent();
        if (database) {
            String prefix = service.storePrefix().orElseThrow(() -> new ParameterException(spec.commandLine(),
                    "--jdbc-url, --db-user and --db-password-file are for gateway, executor and audit only"));
            jdbcUrl.ifPresent(url -> properties.put(prefix + "jdbc-url", url));
            dbUser.ifPresent(user -> properties.put(prefix + "db-user", user));
            dbPasswordFile.ifPresent(file -> properties.put(prefix + "db-password-file", file.toAbsolutePath().toString()));
        }
        properties.putAll(settings);
        return properties;
    }
}
