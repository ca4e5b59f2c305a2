package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.cli.dev.DevService;
import dev.portcullis.runtime.pki.DevPki;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The four dev services, each a child JVM running {@code portcullis dev serve NAME} on its fixed
 * port, with its output appended to {@code DATA_DIR/logs/NAME.log}. A service can be killed with
 * SIGKILL and started again on the same port. Thread-safe: every method is synchronized per
 * instance (the processes are its one piece of mutable state).
 */
public final class ServiceProcesses implements AutoCloseable {
    /** Start order, dev mode's: the gateway last, after the neighbours it calls. */
    public static final List<String> SERVICES = DevService.names();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path dataDir;
    private final int basePort;
    private final DevPki pki;
    private final Map<String, List<String>> extraArguments;
    private final Map<String, Process> processes = new LinkedHashMap<>();

    /**
     * @param extraArguments per service, arguments appended to {@code dev serve NAME} (database,
     *     {@code --set} properties); never a secret value (passwords go by file)
     */
    public ServiceProcesses(Path dataDir, int basePort, DevPki pki, Map<String, List<String>> extraArguments) {
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.basePort = basePort;
        this.pki = requireNonNull(pki, "pki is null");
        this.extraArguments = Map.copyOf(extraArguments);
    }

    public int port(String name) {
        return DevService.named(name).port(basePort);
    }

    /** A base port whose three successors are free too (the services bind them one by one later). */
    public static int freeBasePort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base;
            try (ServerSocket socket = new ServerSocket(0)) {
                base = socket.getLocalPort();
            }
            if (base > 65_000) {
                continue;
            }
            boolean free = true;
            for (int port : new int[] {base + 1, base + 2, base + 3}) {
                try (ServerSocket probe = new ServerSocket(port)) {
                    probe.setReuseAddress(true);
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("found no four consecutive free ports");
    }

    /** Starts every service in order, each once the one before answers SERVING. */
    public synchronized void startAll() {
        for (String name : SERVICES) {
            start(name);
        }
    }

    /** Starts service {@code name} and returns once it answers SERVING. */
    synchronized void start(String name) {
        Process old = processes.get(name);
        if (old != null && old.isAlive()) {
            throw new IllegalStateException(name + " is running already");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "dev.portcullis.cli.Portcullis", "dev", "serve", name, "--data-dir", dataDir.toString(),
                "--base-port", Integer.toString(basePort)));
        command.addAll(extraArguments.getOrDefault(name, List.of()));
        Path log = dataDir.resolve("logs").resolve(name + ".log");
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "=== starting " + name + " ===\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            processes.put(name, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
        awaitServing(name);
    }

    /** Kills service {@code name} with SIGKILL and waits until the process is gone. */
    synchronized void kill(String name) {
        Process process = processes.get(name);
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running");
        }
        process.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no graceful close
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + name, e);
        }
    }

    /** The resident set size of service {@code name}'s process in bytes, when it runs. */
    synchronized OptionalLong rssBytes(String name) {
        Process process = processes.get(name);
        if (process == null || !process.isAlive()) {
            return OptionalLong.empty();
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty(); // not Linux, or the process ended just now
        }
        return OptionalLong.empty();
    }

    private void awaitServing(String name) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Process process = processes.get(name);
        ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + port(name), credentials()).build();
        try {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with status " + process.exitValue() + " while starting; see "
                            + dataDir.resolve("logs").resolve(name + ".log"));
                }
                try {
                    HealthCheckResponse.ServingStatus status = HealthGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus();
                    if (status == HealthCheckResponse.ServingStatus.SERVING) {
                        return;
                    }
                } catch (StatusRuntimeException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not answer SERVING within " + START_TIMEOUT.toSeconds() + " s");
                }
                // a pause between two polls against the deadline, not a synchronisation
                process.waitFor(200, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + name, e);
        } finally {
            channel.shutdownNow();
        }
    }

    private ChannelCredentials credentials() {
        try {
            return TlsChannelCredentials.newBuilder()
                    .keyManager(pki.certFile("auditor").toFile(), pki.keyFile("auditor").toFile())
                    .trustManager(pki.caFile().toFile()).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dev PKI", e);
        }
    }

    /** Stops every service gracefully (SIGTERM), the gateway first; kills what does not stop in 30 s. */
    @Override
    public synchronized void close() {
        List<String> reversed = new ArrayList<>(SERVICES);
        java.util.Collections.reverse(reversed);
        for (String name : reversed) {
            Process process = processes.get(name);
            if (process == null) {
                continue;
            }
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
