package dev.portcullis.bench.latency;

import static dev.portcullis.bench.BenchSupport.freshDirectory;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.portcullis.bench.reliability.ServiceProcesses;
import dev.portcullis.cli.dev.DevMode;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.pki.CertificateRequest;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.pki.Validity;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/run cli-start}: wall times of whole {@code portcullis} processes as a CI job or a
 * person starts them (the launcher script, its build check and the JVM), next to a bare
 * {@code java -version} started the same way in the same round: {@code --version},
 * {@code runs list} against a running suite (dev mode's four services as processes, H2) and a
 * whole {@code plan} of a trivial command followed to its exit. Single-threaded.
 */
public final class CliStartSuite {
    /** What is started, in the order of a round; the first is the baseline. */
    public static final List<String> COMMANDS = List.of("java_version", "version", "runs_list", "plan");
    private static final Duration PROCESS_DEADLINE = Duration.ofSeconds(60);
    private static final String CALLER = "cli-start";

    private final int rounds;
    private final Duration bound;
    private final Path dataDir;
    private final Path launcher;
    private final PrintStream log;
    private final Clock clock = Clock.systemUTC();

    /**
     * @param rounds rounds measured, each starting every command once (after one warm-up round)
     * @param bound no new round starts after this long
     * @param dataDir the suite's data directory; emptied first
     * @param launcher the {@code portcullis} launcher script
     */
    public CliStartSuite(int rounds, Duration bound, Path dataDir, Path launcher, PrintStream log) {
        if (rounds < 1 || rounds > 200) {
            throw new IllegalArgumentException("--runs must be between 1 and 200");
        }
        this.rounds = rounds;
        this.bound = requireNonNull(bound, "bound is null");
        this.dataDir = requireNonNull(dataDir, "dataDir is null").toAbsolutePath();
        this.launcher = requireNonNull(launcher, "launcher is null").toAbsolutePath();
        this.log = requireNonNull(log, "log is null");
        if (!Files.isExecutable(this.launcher)) {
            throw new IllegalArgumentException("no executable portcullis launcher at " + this.launcher
                    + "; run bench/run from the repository's root");
        }
    }

    /** One process: its wall time and how long it lived after its last output. */
    public record Started(long wallNanos, long afterOutputNanos) {}

    /** Per command of {@link #COMMANDS}, the measured processes; and what went wrong. */
    public record Report(Map<String, List<Started>> started, List<String> problems, double setupSeconds) {}

    public Report run() throws Exception {
        long begin = System.nanoTime();
        freshDirectory(dataDir);
        Path repoDir = dataDir.resolve("repos").resolve(LatencyRepository.REPO);
        LatencyRepository repository = LatencyRepository.create(repoDir, 1, dataDir.resolve("catalog.yaml"));
        DevPki pki = DevMode.prepare(dataDir, clock).pki();
        pki.issue(CALLER, new CertificateRequest(CALLER, new SpiffeId("spiffe://" + DevPki.TRUST_DOMAIN + "/ci/latency/" + CALLER),
                List.of(), List.of(), Validity.startingNow(clock, DevPki.LEAF_VALIDITY)));
        int basePort = ServiceProcesses.freeBasePort();
        log.printf("cli-start: %d rounds of %s, data in %s, ports %d-%d%n", rounds, COMMANDS, dataDir, basePort, basePort + 3);
        Map<String, List<Started>> started = new LinkedHashMap<>();
        COMMANDS.forEach(command -> started.put(command, new ArrayList<>()));
        List<String> problems = new ArrayList<>();
        try (ServiceProcesses services = new ServiceProcesses(dataDir, basePort, pki, Map.of())) {
            services.startAll();
            Map<String, String> env = Map.of("PORTCULLIS_GATEWAY_ADDR", "127.0.0.1:" + services.port("gateway"),
                    "PORTCULLIS_CA_FILE", pki.caFile().toString(), "PORTCULLIS_CERT_FILE", pki.certFile(CALLER).toString(),
                    "PORTCULLIS_KEY_FILE", pki.keyFile(CALLER).toString());
            Map<String, List<String>> commandLines = commandLines(repository);
            double setupSeconds = (System.nanoTime() - begin) / 1e9;
            log.printf("cli-start: suite up after %.1f s%n", setupSeconds);
            long until = System.nanoTime() + bound.toNanos();
            for (int round = 0; round <= rounds && System.nanoTime() < until; round++) {
                for (String command : COMMANDS) {
                    Started process = start(commandLines.get(command), env, command, problems);
                    if (round > 0 && process != null) { // round 0 warms the file cache and the suite
                        started.get(command).add(process);
                    }
                }
            }
            return new Report(started, problems, setupSeconds);
        }
    }

    private Map<String, List<String>> commandLines(LatencyRepository repository) {
        String portcullis = launcher.toString();
        return Map.of("java_version", List.of("java", "-version"),
                "version", List.of(portcullis, "--version"),
                "runs_list", List.of(portcullis, "runs", "list"),
                "plan", List.of(portcullis, "plan", "--repo", LatencyRepository.REPO, "--commit", repository.commit(),
                        "--ref", "refs/heads/main", "--folder", repository.folder(0), "--env", LatencyRepository.ENVIRONMENT));
    }

    /** Starts one process, reads its output to the end and waits for it; null (and a problem noted) unless it exits 0. */
    private Started start(List<String> commandLine, Map<String, String> env, String name, List<String> problems)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(commandLine).redirectErrorStream(true);
        builder.environment().putAll(env);
        long startedAt = System.nanoTime();
        Process process = builder.start();
        long lastOutput = startedAt;
        StringBuilder output = new StringBuilder();
        byte[] buffer = new byte[8192];
        try (InputStream out = process.getInputStream()) {
            for (int read = out.read(buffer); read >= 0; read = out.read(buffer)) {
                lastOutput = System.nanoTime();
                if (output.length() < 4000) {
                    output.append(new String(buffer, 0, read, UTF_8));
                }
            }
        }
        if (!process.waitFor(PROCESS_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            problems.add(name + ": still running after " + PROCESS_DEADLINE.toSeconds() + " s");
            return null;
        }
        long exited = System.nanoTime();
        if (process.exitValue() != 0) {
            problems.add(name + ": exit " + process.exitValue() + ": " + output.toString().strip().lines().reduce((a, b) -> b).orElse(""));
            return null;
        }
        return new Started(exited - startedAt, exited - lastOutput);
    }
}
