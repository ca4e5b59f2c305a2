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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Dev service processes, each a child JVM running {@code portcullis dev serve SERVICE} on its own
 * port, with its output appended to {@code DATA_DIR/logs/INSTANCE.log}. By default one instance
 * of each of the four services, named after it, on the dev ports; or any list of
 * {@link Instance}s, several of one service among them (replicas, each on a port of its own).
 * An instance can be killed with SIGKILL, have its pod-local directories wiped, and be started
 * again on the same port. Thread-safe: the processes, its one piece of mutable state, are guarded
 * by the instance's monitor; waiting for a started instance to serve holds no lock.
 */
public final class ServiceProcesses implements AutoCloseable {
    /** Start order, dev mode's: the gateway last, after the neighbours it calls. */
    public static final List<String> SERVICES = DevService.names();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    /**
     * One process of a service.
     *
     * @param name the instance's name in logs and faults ("executor-2"; the service's name when it is the only one)
     * @param service the dev service it runs ("gateway", …)
     * @param port the port it serves on
     * @param arguments appended to {@code dev serve SERVICE} (database, {@code --set} properties); never
     *     a secret value (passwords go by file)
     * @param podLocal directories a pod rescheduled to another node would find empty (its
     *     {@code emptyDir}s): {@link #wipe} deletes them
     */
    public record Instance(String name, String service, int port, List<String> arguments, List<Path> podLocal) {
        public Instance {
            requireNonNull(name, "name is null");
            if (!SERVICES.contains(requireNonNull(service, "service is null"))) {
                throw new IllegalArgumentException("service must be one of " + SERVICES);
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 1 and 65535");
            }
            arguments = List.copyOf(arguments);
            podLocal = List.copyOf(podLocal);
        }
    }

    private final Path dataDir;
    private final int basePort;
    private final DevPki pki;
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();

    /**
     * One instance of each service on its dev port, named after the service.
     *
     * @param extraArguments per service, arguments appended to {@code dev serve NAME} (database,
     *     {@code --set} properties); never a secret value (passwords go by file)
     */
    public ServiceProcesses(Path dataDir, int basePort, DevPki pki, Map<String, List<String>> extraArguments) {
        this(dataDir, basePort, pki, SERVICES.stream().map(service -> new Instance(service, service,
                DevService.named(service).port(basePort), extraArguments.getOrDefault(service, List.of()), List.of())).toList());
    }

    /**
     * The {@code instances}, started in their order by {@link #startAll}; each is started with
     * {@code --base-port basePort}, so its neighbours are the dev ports' unless its arguments say otherwise.
     */
    public ServiceProcesses(Path dataDir, int basePort, DevPki pki, List<Instance> instances) {
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.basePort = basePort;
        this.pki = requireNonNull(pki, "pki is null");
        for (Instance instance : instances) {
            if (this.instances.put(instance.name(), instance) != null) {
                throw new IllegalArgumentException("two instances named " + instance.name());
            }
        }
    }

    /** The port of instance {@code name}. */
    public int port(String name) {
        return instance(name).port();
    }

    /** The names of the instances of {@code service}, in start order. */
    public List<String> instancesOf(String service) {
        return instances.values().stream().filter(i -> i.service().equals(service)).map(Instance::name).toList();
    }

    /** Every instance's name, in start order. */
    public List<String> names() {
        return List.copyOf(instances.keySet());
    }

    /** The service instance {@code name} runs. */
    public String serviceOf(String name) {
        return instance(name).service();
    }

    /** A base port whose three successors are free too (the services bind them one by one later). */
    public static int freeBasePort() throws IOException {
        return freeBasePort(4);
    }

    /** A base port such that it and the next {@code count - 1} are free (the services bind them one by one later). */
    public static int freeBasePort(int count) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base;
            try (ServerSocket socket = new ServerSocket(0)) {
                base = socket.getLocalPort();
            }
            if (base > 65_535 - count) {
                continue;
            }
            boolean free = true;
            for (int port = base + 1; port < base + count; port++) {
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
        throw new IllegalStateException("found no " + count + " consecutive free ports");
    }

    /** Starts every instance in order, each once the one before answers SERVING. */
    public synchronized void startAll() {
        for (String name : instances.keySet()) {
            start(name);
        }
    }

    /**
     * Starts instance {@code name} and returns once it answers SERVING. The wait holds no lock:
     * other instances can be killed and started meanwhile.
     */
    void start(String name) {
        Process process = launch(name);
        awaitServing(name, process);
    }

    private synchronized Process launch(String name) {
        Instance instance = instance(name);
        Process old = processes.get(name);
        if (old != null && old.isAlive()) {
            throw new IllegalStateException(name + " is running already");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "dev.portcullis.cli.Portcullis", "dev", "serve", instance.service(), "--data-dir", dataDir.toString(),
                "--base-port", Integer.toString(basePort)));
        command.addAll(instance.arguments());
        Path log = dataDir.resolve("logs").resolve(name + ".log");
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "=== starting " + name + " ===\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            processes.put(name, process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /**
     * Deletes the pod-local directories of instance {@code name}, which must not be running, as a
     * pod rescheduled to another node finds them; returns how many files they held.
     */
    synchronized long wipe(String name) {
        Process process = processes.get(name);
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running: wipe only what a dead pod left");
        }
        long files = 0;
        for (Path dir : instance(name).podLocal()) {
            if (!Files.exists(dir)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                    files += Files.isRegularFile(path) ? 1 : 0;
                    Files.delete(path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot wipe " + dir, e);
            }
        }
        return files;
    }

    /**
     * Kills instance {@code name} and every process it started (a local task's commands, git)
     * with SIGKILL, as the death of its pod ends them all, and waits until they are gone. The
     * instance is stopped (SIGSTOP) first, so it starts no process between the look at its
     * descendants and the kill; a descendant left running would go on writing into the
     * directories {@link #wipe} deletes.
     */
    synchronized void kill(String name) {
        Process process = processes.get(name);
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running");
        }
        try {
            new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            process.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no graceful close
            tree.forEach(ProcessHandle::destroyForcibly);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " survived SIGKILL for 30 s");
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (ProcessHandle child : tree) {
                // a killed child whose reaper has not yet collected it looks alive but runs no more
                while (child.isAlive() && System.nanoTime() < until) {
                    TimeUnit.MILLISECONDS.sleep(20); // polling against a deadline
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + name, e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop " + name + " before killing it", e);
        }
    }

    /** The resident set size of instance {@code name}'s process in bytes, when it runs. */
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

    private void awaitServing(String name, Process process) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
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

    private Instance instance(String name) {
        Instance instance = instances.get(name);
        if (instance == null) {
            throw new IllegalArgumentException("no instance named " + name + "; there are " + instances.keySet());
        }
        return instance;
    }

    /** Stops every instance gracefully (SIGTERM), in reverse start order; kills what does not stop in 30 s. */
    @Override
    public synchronized void close() {
        List<String> reversed = new ArrayList<>(instances.keySet());
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
