package dev.portcullis.cli.dev;

import static java.util.Objects.requireNonNull;

import dev.portcullis.cli.dev.issuer.DevIssuer;
import dev.portcullis.cli.dev.issuer.DevSignIn;
import dev.portcullis.cli.dev.issuer.DevTokens;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.server.ServiceLauncher.RunningService;
import dev.portcullis.runtime.telemetry.TelemetrySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All four services in one JVM on loopback, with the dev PKI under {@code DATA_DIR/pki}, and a
 * DEV ONLY OIDC issuer ({@link DevIssuer}) the gateway accepts as issuer {@code dev}. For
 * development only. Writes {@code DATA_DIR/dev.env} with the variables the CLI and any gRPC
 * client need, and {@code DATA_DIR/ci-token.jwt}, a dev token for the demo repository's
 * {@code main}. Thread-safe to close once.
 */
public final class DevMode implements AutoCloseable {
    private static final String CI_TOKEN_FILE_NAME = "ci-token.jwt";
    private static final GitRef MAIN = new GitRef("refs/heads/main");
    /** The console's port beside the gateway's (the four services take N to N+3). */
    static final int CONSOLE_PORT_OFFSET = 4;

    private final Path dataDir;
    private final DevPki pki;
    // guarded by this: the services in start order, replaced one by one on restart
    private final List<RunningService> running;
    private final Map<DevService, Map<String, Object>> properties;
    private final String demoStatus;
    private final Optional<TelemetrySource> telemetry;
    private final DataDirectoryLock lock;
    private final DevIssuer issuer;
    private final String ciTokenStatus;
    private final DevSignIn signIn;
    private final DevConsole console;

    private DevMode(Path dataDir, DevPki pki, List<RunningService> running, Map<DevService, Map<String, Object>> properties,
            String demoStatus, Optional<TelemetrySource> telemetry, DataDirectoryLock lock, DevIssuer issuer,
            String ciTokenStatus, DevSignIn signIn, DevConsole console) {
        this.signIn = signIn;
        this.console = console;
        this.issuer = issuer;
        this.ciTokenStatus = ciTokenStatus;
        this.telemetry = telemetry;
        this.lock = lock;
        this.dataDir = dataDir;
        this.pki = pki;
        this.running = new ArrayList<>(running);
        this.properties = Collections.unmodifiableMap(new EnumMap<>(properties));
        this.demoStatus = demoStatus;
    }

    /**
     * Creates or renews the dev PKI, starts the services and writes dev.env.
     *
     * @throws RuntimeException naming the problem (e.g. a port in use, or the data directory in
     *     use by another dev mode); nothing is left running
     */
    public static DevMode start(DevModeOptions options) {
        requireNonNull(options, "options is null");
        Path absolute = options.dataDir().toAbsolutePath();
        createPrivateDirectory(absolute);
        // before anything in the directory is touched: a second dev mode must not renew the first one's PKI
        DataDirectoryLock lock = DataDirectoryLock.acquire(absolute, options.clock());
        try {
            return start(absolute, options, lock);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static DevMode start(Path data, DevModeOptions options, DataDirectoryLock lock) {
        int basePort = options.basePort();
        if (basePort != 0) {
            // all four ports asked before any service starts: a taken one is told at once, not after
            // the services before it started and stopped again
            for (DevService service : DevService.values()) {
                int port = service.port(basePort);
                if (!free(port)) {
                    throw portInUse(service, port, null);
                }
            }
            if (!free(basePort + CONSOLE_PORT_OFFSET)) {
                throw new IllegalStateException("port " + (basePort + CONSOLE_PORT_OFFSET) + " (console) is in use: start with another"
                        + " --base-port N (N to N+4 must be free; --base-port 0 picks free ports)");
            }
        }
        Prepared prepared = prepare(data, options.clock(), options.demoTool());
        DevPki pki = prepared.pki();
        DevIssuer issuer = DevIssuer.start(prepared.dataDir(), pki, options.clock());
        DevSignIn signIn;
        try {
            signIn = DevSignIn.start(prepared.dataDir(), pki, options.clock());
        } catch (RuntimeException e) {
            issuer.close();
            throw e;
        }
        Map<DevService, Integer> ports = new EnumMap<>(DevService.class);
        List<RunningService> running = new ArrayList<>();
        Map<DevService, Map<String, Object>> started = new EnumMap<>(DevService.class);
        try {
            for (DevService service : DevService.values()) {
                int port = basePort == 0 ? 0 : service.port(basePort);
                Map<String, Object> properties = new HashMap<>(service.properties(port, pki, prepared.catalog(), ports));
                if (service == DevService.GATEWAY) {
                    properties.putAll(issuer.gatewayProperties());
                }
                if (service == DevService.GATEWAY || service == DevService.AUDIT) {
                    // humans signed in at the dev identity provider, through the console (the delegate DevService names)
                    properties.putAll(signIn.humanIssuerProperties());
                }
                properties.putAll(options.overrides().getOrDefault(service.serviceName(), Map.of()));
                RunningService launched = startService(service, port, properties, options.telemetry());
                running.add(launched);
                ports.put(service, launched.port());
                Map<String, Object> again = new HashMap<>(properties);
                again.put("portcullis.server.port", launched.port());
                started.put(service, again);
            }
        } catch (RuntimeException e) {
            stopAll(running);
            issuer.close();
            signIn.close();
            throw e;
        }
        DevConsole console;
        try {
            console = DevConsole.start(pki, prepared.dataDir(), basePort == 0 ? 0 : basePort + CONSOLE_PORT_OFFSET,
                    ports.get(DevService.GATEWAY), ports.get(DevService.AUDIT), signIn);
        } catch (RuntimeException e) {
            stopAll(running);
            issuer.close();
            signIn.close();
            throw e;
        }
        String ciTokenStatus = mintCiToken(prepared.dataDir(), issuer.tokens());
        DevMode dev = new DevMode(prepared.dataDir(), pki, List.copyOf(running), started, prepared.demoStatus(),
                options.telemetry(), lock, issuer, ciTokenStatus, signIn, console);
        dev.writeEnvFile();
        return dev;
    }

    /**
     * Writes {@code DATA_DIR/ci-token.jwt}: a dev token for the demo repository at its current
     * {@code main}. Dev mode still starts without it (no demo repository): mTLS callers are unaffected.
     */
    private static String mintCiToken(Path dataDir, DevTokens tokens) {
        Path repository = dataDir.resolve("repos").resolve("example");
        if (!Files.isDirectory(repository)) {
            return "not minted: there is no demo repository";
        }
        try {
            CommitSha commit = DemoRepository.commitOf(repository, MAIN.value());
            Path file = ciTokenFile(dataDir);
            Instant expires = tokens.mintTo(file, commit, MAIN);
            return file + "  (DEV ONLY: " + DevTokens.REPOSITORY + " at main " + commit.value().substring(0, 12)
                    + ", until " + expires + ")";
        } catch (IllegalStateException | UncheckedIOException e) {
            return "not minted: " + e.getMessage();
        }
    }

    /** {@code DATA_DIR/ci-token.jwt}, where dev mode writes the dev CI token. */
    public static Path ciTokenFile(Path dataDir) {
        return dataDir.toAbsolutePath().resolve(CI_TOKEN_FILE_NAME);
    }

    /**
     * Starts one service; a fixed port already taken is told in dev mode's terms: the user chose
     * it with --base-port, not with the service's port property.
     */
    private static RunningService startService(DevService service, int port, Map<String, Object> properties,
            Optional<TelemetrySource> telemetry) {
        try {
            return ServiceLauncher.start(service.serviceName(), properties, false, telemetry);
        } catch (RuntimeException e) {
            if (port == 0 || !causedByBind(e, port)) {
                throw e;
            }
            throw portInUse(service, port, e);
        }
    }

    private static IllegalStateException portInUse(DevService service, int port, RuntimeException cause) {
        return new IllegalStateException("port " + port + " (" + service.serviceName() + ") is in use: another `portcullis dev` may be"
                + " running, or start with another --base-port N (N to N+3 must be free; --base-port 0 picks free ports)",
                cause);
    }

    /** Whether nothing listens on {@code port} on loopback: we could bind it. */
    private static boolean free(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * True when the failure is the port being taken. gRPC's Netty transport does not always say so
     * with a BindException, so the port itself is asked as well.
     */
    private static boolean causedByBind(Throwable failure, int port) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return !free(port);
    }

    /**
     * A data directory made ready for dev mode: its absolute path, the dev PKI (created or
     * renewed), the catalog and what became of the demo repository.
     */
    public record Prepared(Path dataDir, DevPki pki, Path catalog, String demoStatus) {
        public Prepared {
            requireNonNull(dataDir, "dataDir is null");
            requireNonNull(pki, "pki is null");
            requireNonNull(catalog, "catalog is null");
            requireNonNull(demoStatus, "demoStatus is null");
        }
    }

    /**
     * Makes {@code data} ready for the services without starting any: creates or renews the dev
     * PKI, writes the dev catalog unless a catalog is there, and seeds the demo repository.
     * Not safe against another process preparing the same directory at the same time: prepare
     * once, then start one process per service ({@code portcullis dev serve}).
     */
    public static Prepared prepare(Path data, Clock clock) {
        return prepare(data, clock, Optional.empty());
    }

    /**
     * As {@link #prepare(Path, Clock)}; on a first start with {@code demoTool} the demo repository
     * and the dev catalog are real Terraform/OpenTofu, otherwise sh scripts.
     */
    public static Prepared prepare(Path data, Clock clock, Optional<DemoTool> demoTool) {
        // every path handed to a service is absolute: the default data directory is relative, and
        // a service that runs child processes elsewhere (the executor's git) must not resolve it twice
        Path dataDir = requireNonNull(data, "data is null").toAbsolutePath();
        createPrivateDirectory(dataDir);
        DevPki pki = new DevPki(dataDir.resolve("pki"));
        pki.ensure(clock);
        Path catalog = writeDevCatalogIfAbsent(dataDir, demoTool);
        return new Prepared(dataDir, pki, catalog, seedDemoRepository(dataDir, demoTool));
    }

    /**
     * The dev configuration of {@code service} on its fixed port in a prepared data
     * directory: {@code basePort} for the gateway, the next three for policy, executor and audit,
     * as {@link #start} with a non-zero base port uses. Each service's neighbours are at their
     * fixed ports, so each can run in a process of its own.
     */
    public static Map<String, Object> serviceConfiguration(DevService service, Prepared prepared, int basePort) {
        requireNonNull(service, "service is null");
        if (basePort < 1 || basePort > 65532) {
            throw new IllegalArgumentException("the base port must be between 1 and 65532");
        }
        Map<DevService, Integer> ports = new EnumMap<>(DevService.class);
        for (DevService each : DevService.values()) {
            ports.put(each, each.port(basePort));
        }
        return Map.copyOf(service.properties(ports.get(service), prepared.pki(), prepared.catalog(), ports));
    }

    /** The dev catalog lives in the data directory, so a developer edits it and sees it reload. */
    private static Path writeDevCatalogIfAbsent(Path dataDir, Optional<DemoTool> demoTool) {
        Path catalog = dataDir.resolve("catalog.yaml");
        if (Files.exists(catalog)) {
            return catalog;
        }
        String resource = demoTool.isPresent() ? "/dev/catalog-terraform.yaml" : "/dev/catalog.yaml";
        try (var in = DevMode.class.getResourceAsStream(resource)) {
            String template = new String(requireNonNull(in, "dev catalog resource missing").readAllBytes(), StandardCharsets.UTF_8);
            String tool = demoTool.map(DemoTool::command).orElse("");
            Files.writeString(catalog, template.replace("@REPOS@", dataDir.resolve("repos").toAbsolutePath().toString())
                    .replace("@STATE@", terraformState(dataDir).toString())
                    .replace("@TOOL_NAME@", tool.equals("tofu") ? "OpenTofu" : "Terraform")
                    .replace("@TOOL@", tool));
            return catalog;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dev catalog " + catalog, e);
        }
    }

    /**
     * The dev catalog's repository "example" is a real git repository made on first start. Dev
     * mode still starts without it (say, without git): everything but running tasks works.
     */
    private static String seedDemoRepository(Path dataDir, Optional<DemoTool> demoTool) {
        Path repos = dataDir.resolve("repos");
        try {
            boolean created = DemoRepository.createIfAbsent(repos, demoTool);
            String kind = !created ? ""
                    : demoTool.map(tool -> "  (real " + tool.command() + " from " + tool.binary() + "; state in "
                            + terraformState(dataDir) + ")")
                            .orElse("  (sh scripts: neither terraform nor tofu is on PATH)");
            return (created ? "created " : "") + repos.resolve("example").toAbsolutePath() + kind;
        } catch (IllegalStateException | UncheckedIOException e) {
            return "not created: " + e.getMessage();
        }
    }

    /**
     * Stops the service named {@code name} and starts it again on the same port with the same
     * configuration, as an operator restarting one process would.
     */
    public synchronized RunningService restart(String name) {
        RunningService old = service(name);
        old.close();
        RunningService fresh = ServiceLauncher.start(name, configuration(name), false, telemetry);
        running.set(running.indexOf(old), fresh);
        return fresh;
    }

    /** The configuration service {@code name} was started with (its port fixed). */
    public synchronized Map<String, Object> configuration(String name) {
        return properties.get(DevService.named(name));
    }

    /** Stops the service named {@code name}, as if its process died; {@link #restart} brings it back. */
    public synchronized void stop(String name) {
        service(name).close();
    }

    /** Service name to its port, in start order. */
    public synchronized Map<String, Integer> ports() {
        // from the configuration, so a stopped service still has its address
        Map<String, Integer> ports = new LinkedHashMap<>();
        properties.forEach((service, configuration) -> ports.put(service.serviceName(),
                (Integer) configuration.get("portcullis.server.port")));
        return ports;
    }

    /** The dev PKI in use. */
    public DevPki pki() {
        return pki;
    }

    /** Where the demo's Terraform/OpenTofu state files live: outside every checkout, kept across runs. */
    static Path terraformState(Path dataDir) {
        return dataDir.resolve("terraform-state").toAbsolutePath();
    }

    /** {@code DATA_DIR/catalog.yaml}, the catalog the dev policy service uses. */
    public Path catalogFile() {
        return dataDir.resolve("catalog.yaml");
    }

    /** Where the demo repository is ("created PATH" on first start), or why it could not be made. */
    public String demoStatus() {
        return demoStatus;
    }

    /** {@code DATA_DIR/repos/example}, the dev catalog's demo repository. */
    public Path demoRepository() {
        return dataDir.resolve("repos").resolve("example");
    }

    /** DEV ONLY: the OIDC issuer dev mode runs and configured the gateway with, as issuer {@value DevIssuer#NAME}. */
    public DevIssuer issuer() {
        return issuer;
    }

    /** The web console's URL, {@code https://localhost:PORT}. */
    public java.net.URI consoleUrl() {
        return console.url();
    }

    /** DEV ONLY: the identity provider humans sign in to the console at. */
    public DevSignIn signIn() {
        return signIn;
    }

    /** Where the dev CI token was written ({@code DATA_DIR/ci-token.jwt}, with what it is for), or why it was not. */
    public String ciTokenStatus() {
        return ciTokenStatus;
    }

    /** {@code DATA_DIR/dev.env}. */
    public Path envFile() {
        return dataDir.resolve("dev.env");
    }

    /** The running service named {@code name}. */
    public synchronized RunningService service(String name) {
        return running.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name));
    }

    private void writeEnvFile() {
        Map<String, Integer> ports = ports();
        StringBuilder env = new StringBuilder();
        env.append("# Written by `portcullis dev`: the dev suite's addresses and the dev CI identity.\n");
        env.append("# Use: set -a; . ").append(envFile()).append("; set +a\n");
        env.append("PORTCULLIS_GATEWAY_ADDR=localhost:").append(ports.get("gateway")).append('\n');
        env.append("PORTCULLIS_POLICY_ADDR=localhost:").append(ports.get("policy")).append('\n');
        env.append("PORTCULLIS_EXECUTOR_ADDR=localhost:").append(ports.get("executor")).append('\n');
        env.append("PORTCULLIS_AUDIT_ADDR=localhost:").append(ports.get("audit")).append('\n');
        env.append("PORTCULLIS_CA_FILE=").append(pki.caFile().toAbsolutePath()).append('\n');
        env.append("PORTCULLIS_CERT_FILE=").append(pki.certFile("ci").toAbsolutePath()).append('\n');
        env.append("PORTCULLIS_KEY_FILE=").append(pki.keyFile("ci").toAbsolutePath()).append('\n');
        env.append("# the web console (sign in at the DEV ONLY identity provider): ").append(consoleUrl()).append('\n');
        env.append("# DEV ONLY: instead of the certificate, a CI job's OIDC identity token from dev mode's issuer:\n");
        env.append("#   --id-token-file ").append(ciTokenFile(dataDir)).append("  (a fresh one: portcullis dev token)\n");
        try {
            Path temp = Files.createTempFile(dataDir, ".dev.env", ".tmp");
            Files.writeString(temp, env, StandardCharsets.UTF_8);
            Files.move(temp, envFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + envFile(), e);
        }
    }

    private static void createPrivateDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dir, e);
        }
    }

    /** Stops the services, gateway first, then lets another dev mode use the data directory. */
    @Override
    public synchronized void close() {
        try {
            console.close();
            stopAll(running);
            issuer.close();
            signIn.close();
        } finally {
            lock.close();
        }
    }

    private static void stopAll(List<RunningService> running) {
        List<RunningService> reversed = new ArrayList<>(running);
        Collections.reverse(reversed);
        reversed.forEach(RunningService::close);
    }
}
