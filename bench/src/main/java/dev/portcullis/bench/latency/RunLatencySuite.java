package dev.portcullis.bench.latency;

import static dev.portcullis.bench.BenchSupport.freshDirectory;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import dev.portcullis.bench.latency.RunLatencyReport.BareRun;
import dev.portcullis.bench.latency.RunLatencyReport.Round;
import dev.portcullis.bench.latency.RunLatencyReport.WatchedRun;
import dev.portcullis.bench.reliability.ReliabilitySettings;
import dev.portcullis.bench.reliability.ServiceProcesses;
import dev.portcullis.cli.dev.DevMode;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.pki.CertificateRequest;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.RunSpec;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.SubmitRunRequest;
import dev.portcullis.v1.WatchRunRequest;
import dev.portcullis.v1.WatchRunResponse;
import dev.portcullis.v1.WatchTaskRequest;
import dev.portcullis.v1.WatchTaskResponse;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The run-latency benchmark: the four dev services as child processes (local executor, H2 or
 * PostgreSQL), a trivial catalog command in a small git repository, runs submitted and watched
 * over mTLS one after the other, each next to the same command run directly as a process in the
 * same round (the two alternate which goes first), then a round of concurrent callers on
 * different folders next to as many bare runs. Not thread-safe; run once.
 */
public final class RunLatencySuite {
    private static final Duration WATCH_DEADLINE = Duration.ofSeconds(60);
    private static final Duration BARE_DEADLINE = Duration.ofSeconds(30);

    private final RunLatencySettings settings;
    private final PrintStream log;
    private final Clock clock = Clock.systemUTC();
    // touched by the sequential phase and, synchronized, by the concurrent callers
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    public RunLatencySuite(RunLatencySettings settings, PrintStream log) {
        this.settings = requireNonNull(settings, "settings is null");
        this.log = requireNonNull(log, "log is null");
    }

    /** Runs the benchmark; throws only when the suite itself cannot be set up. */
    public RunLatencyReport run() throws Exception {
        long begin = System.nanoTime();
        Path dataDir = settings.dataDir().toAbsolutePath();
        freshDirectory(dataDir);
        Path repoDir = dataDir.resolve("repos").resolve(LatencyRepository.REPO);
        LatencyRepository repository = LatencyRepository.create(repoDir, settings.callers(), dataDir.resolve("catalog.yaml"));
        DevMode.Prepared prepared = DevMode.prepare(dataDir, clock);
        DevPki pki = prepared.pki();
        for (int i = 0; i < settings.callers(); i++) {
            pki.issue(callerName(i), new CertificateRequest(callerName(i),
                    new SpiffeId("spiffe://" + DevPki.TRUST_DOMAIN + "/ci/latency/" + callerName(i)), List.of(), List.of(),
                    Validity.startingNow(clock, DevPki.LEAF_VALIDITY)));
        }
        int basePort = ServiceProcesses.freeBasePort();
        Map<String, List<String>> arguments = storeArguments(dataDir);
        log.printf("run-latency: %d runs (+%d warm-up), %d callers x %d concurrent runs, %s, data in %s, ports %d-%d%n",
                settings.runs(), settings.warmUp(), settings.callers(), settings.concurrentRuns(),
                settings.store() instanceof RunLatencySettings.Store.H2 ? "H2" : "PostgreSQL", dataDir, basePort, basePort + 3);
        List<ManagedChannel> channels = new ArrayList<>();
        try (ServiceProcesses services = new ServiceProcesses(dataDir, basePort, pki, arguments)) {
            services.startAll();
            List<ManagedChannel> callers = new ArrayList<>();
            for (int i = 0; i < settings.callers(); i++) {
                callers.add(channel(pki, callerName(i), services.port("gateway")));
            }
            channels.addAll(callers);
            callers.forEach(RunLatencySuite::connect);
            // the executor's own times of a task, read afterwards as the gateway reads them
            ManagedChannel executor = channel(pki, DevPki.Member.GATEWAY.fileName(), services.port("executor"));
            channels.add(executor);
            double setupSeconds = (System.nanoTime() - begin) / 1e9;
            log.printf("run-latency: suite up after %.1f s%n", setupSeconds);

            Path bareDir = repoDir.resolve(LatencyRepository.ENVIRONMENT);
            Checkouts checkouts = new Checkouts(repoDir, repository.commit(), dataDir.resolve("bare-checkouts"));
            for (int i = 0; i < settings.warmUp(); i++) {
                submitAndWatch(callers.get(i % callers.size()), spec(repository, i));
                bare(bareDir, checkouts);
            }
            List<WatchedRun> watched = new ArrayList<>();
            List<BareRun> bare = new ArrayList<>();
            long until = System.nanoTime() + settings.bound().toNanos();
            for (int i = 0; i < settings.runs() && System.nanoTime() < until; i++) {
                // alternating which goes first, so neither always runs on the machine the other just warmed
                Optional<Watched> run;
                BareRun baseline;
                if (i % 2 == 0) {
                    run = submitAndWatch(callers.get(i % callers.size()), spec(repository, i));
                    baseline = bare(bareDir, checkouts);
                } else {
                    baseline = bare(bareDir, checkouts);
                    run = submitAndWatch(callers.get(i % callers.size()), spec(repository, i));
                }
                if (run.isPresent()) {
                    watched.add(withExecutorPhases(executor, run.get()));
                    bare.add(baseline);
                }
            }
            log.printf("run-latency: %d sequential runs measured; the concurrent round%n", watched.size());
            Round concurrent = concurrentWatched(callers, repository);
            Round concurrentBare = concurrentBare(bareDir);
            checkouts.clean();
            problems.forEach(problem -> log.println("run-latency: PROBLEM " + problem));
            return new RunLatencyReport(watched, bare, concurrent, concurrentBare, problems, setupSeconds,
                    (System.nanoTime() - begin) / 1e9);
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    private RunSpec spec(LatencyRepository repository, int index) {
        return RunSpec.newBuilder().setRepo(LatencyRepository.REPO).setCommitSha(repository.commit()).setRef("refs/heads/main")
                .setFolder(repository.folder(index)).setEnvironment(LatencyRepository.ENVIRONMENT)
                .setCommand(LatencyRepository.COMMAND_NAME).build();
    }

    /**
     * Submits one run and watches it from offset 0 to its final state. Empty (and a problem noted)
     * when the run did not succeed or its watch failed.
     */
    private Optional<Watched> submitAndWatch(ManagedChannel channel, RunSpec spec) {
        Instant sentAt = clock.instant();
        long sent = System.nanoTime();
        String runId;
        long acknowledged;
        try {
            runId = GatewayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(WATCH_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .submitRun(SubmitRunRequest.newBuilder().setSpec(spec).setRequestKey(UUID.randomUUID().toString()).build())
                    .getRun().getRunId();
            acknowledged = System.nanoTime();
        } catch (StatusRuntimeException e) {
            problems.add("submit refused: " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
            return Optional.empty();
        }
        Map<RunState, Instant> stateTimes = new EnumMap<>(RunState.class);
        Instant createdAt = null;
        Instant firstLineTime = null;
        Instant firstLineReceivedAt = null;
        long firstLineReceived = 0;
        Instant lastLineTime = null;
        long lastLineReceived = 0;
        Instant finalTime = null;
        Instant finalReceivedAt = null;
        long finalReceived = 0;
        RunState finalState = RunState.RUN_STATE_UNSPECIFIED;
        try {
            Iterator<WatchRunResponse> events = GatewayServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(WATCH_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .watchRun(WatchRunRequest.newBuilder().setRunId(runId).setFromOffset(0).build());
            while (events.hasNext()) {
                WatchRunResponse event = events.next();
                long received = System.nanoTime();
                Instant receivedAt = clock.instant();
                Instant time = instant(event.getTime());
                if (event.hasLogLine()) {
                    String text = event.getLogLine().getText();
                    if (firstLineTime == null && text.equals(LatencyRepository.FIRST_LINE)) {
                        firstLineTime = time;
                        firstLineReceived = received;
                        firstLineReceivedAt = receivedAt;
                    } else if (text.equals(LatencyRepository.LAST_LINE)) {
                        lastLineTime = time;
                        lastLineReceived = received;
                    }
                } else if (event.hasStateChange()) {
                    RunState state = event.getStateChange().getState();
                    stateTimes.putIfAbsent(state, time);
                    createdAt = instant(event.getStateChange().getCreatedAt());
                    if (isFinal(state)) {
                        finalState = state;
                        finalTime = time;
                        finalReceived = received;
                        finalReceivedAt = receivedAt;
                        break;
                    }
                }
            }
        } catch (StatusRuntimeException e) {
            problems.add("run " + runId + ": watch failed: " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
            return Optional.empty();
        }
        if (finalState != RunState.RUN_STATE_SUCCEEDED || firstLineTime == null || lastLineTime == null) {
            problems.add("run " + runId + " ended " + finalState + (firstLineTime == null ? " without its first line" : "")
                    + (lastLineTime == null ? " without its last line" : ""));
            return Optional.empty();
        }
        Map<String, Double> phases = new LinkedHashMap<>();
        phases.put("submit_ack", (acknowledged - sent) / 1e6);
        phases.put("submit_to_created", millis(sentAt, createdAt));
        Instant queued = stateTimes.get(RunState.RUN_STATE_QUEUED);
        Instant running = stateTimes.get(RunState.RUN_STATE_RUNNING);
        if (queued != null) {
            phases.put("created_to_queued", millis(createdAt, queued));
        }
        if (queued != null && running != null) {
            phases.put("queued_to_running", millis(queued, running));
        }
        if (running != null) {
            phases.put("running_to_first_line", millis(running, firstLineTime));
        }
        phases.put("first_line_delivery", millis(firstLineTime, firstLineReceivedAt));
        phases.put("first_to_last_line", millis(firstLineTime, lastLineTime));
        phases.put("last_line_to_final", millis(lastLineTime, finalTime));
        phases.put("final_delivery", millis(finalTime, finalReceivedAt));
        return Optional.of(new Watched(runId, new WatchedRun(firstLineReceived - sent, finalReceived - lastLineReceived,
                finalReceived - sent, phases), Optional.ofNullable(queued), Optional.ofNullable(running), firstLineTime));
    }

    /**
     * The run's phases with the executor's own task times laid in: when it accepted the task, when
     * the command started (after the checkout) and when the command's first line was read there.
     * Read after the run ended, outside every timing; the phases stay as they are when the executor
     * cannot say.
     */
    private WatchedRun withExecutorPhases(ManagedChannel executor, Watched watched) {
        WatchedRun run = watched.timing();
        String runId = watched.runId();
        Map<String, Double> phases = new LinkedHashMap<>(run.phasesMillis());
        Instant accepted = null;
        Instant started = null;
        Instant firstLine = null;
        try {
            Iterator<WatchTaskResponse> events = ExecutorServiceGrpc.newBlockingStub(executor).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .watchTask(WatchTaskRequest.newBuilder().setRunId(runId).setFromOffset(0).build());
            while (events.hasNext()) {
                WatchTaskResponse event = events.next();
                if (event.hasStateChange()) {
                    accepted = instant(event.getStateChange().getCreatedAt());
                    if (event.getStateChange().hasStartedAt()) {
                        started = instant(event.getStateChange().getStartedAt());
                    }
                } else if (event.hasLogLine() && firstLine == null && event.getLogLine().getText().equals(LatencyRepository.FIRST_LINE)) {
                    firstLine = instant(event.getTime());
                }
            }
        } catch (StatusRuntimeException e) {
            problems.add("run " + runId + ": the executor's task times: " + e.getStatus().getCode());
        }
        Instant relayed = watched.firstLine();
        if (accepted != null && watched.queued().isPresent() && watched.running().isPresent()) {
            phases.put("queued_to_task_accepted", millis(watched.queued().get(), accepted));
            phases.put("task_accepted_to_running", millis(accepted, watched.running().get()));
        }
        if (accepted != null && started != null && firstLine != null) {
            phases.put("task_accepted_to_command_started", millis(accepted, started));
            phases.put("command_started_to_first_line", millis(started, firstLine));
            phases.put("first_line_relay", millis(firstLine, relayed));
        }
        return new WatchedRun(run.submitToStartNanos(), run.endToDoneNanos(), run.totalNanos(), phases);
    }

    /** A watched run, with what the executor's times are laid against: its id and gateway event times. */
    private record Watched(String runId, WatchedRun timing, Optional<Instant> queued, Optional<Instant> running,
            Instant firstLine) {}

    /** The command run directly, in {@code dir}, its output read line by line as the executor reads it. */
    private static BareRun bare(Path dir, Checkouts checkouts) {
        long[] checkout = checkouts.timePair();
        long started = System.nanoTime();
        try {
            Process process = new ProcessBuilder(LatencyRepository.COMMAND).directory(dir.toFile()).redirectErrorStream(true)
                    .start();
            long firstLine = 0;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (firstLine == 0) {
                        firstLine = System.nanoTime();
                    }
                }
            }
            if (!process.waitFor(BARE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("the bare command did not exit 0 within " + BARE_DEADLINE);
            }
            long exited = System.nanoTime();
            return new BareRun(firstLine - started, exited - started, checkout[0], checkout[1]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the bare command", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running the bare command", e);
        }
    }

    /** Every caller on its own folder with its own identity, submitting and watching one run after the other. */
    private Round concurrentWatched(List<ManagedChannel> channels, LatencyRepository repository) throws Exception {
        if (settings.concurrentRuns() == 0) {
            return Round.none(settings.callers());
        }
        return concurrently(caller -> submitAndWatch(channels.get(caller), spec(repository, caller))
                .map(watched -> watched.timing().totalNanos()));
    }

    private Round concurrentBare(Path dir) throws Exception {
        if (settings.concurrentRuns() == 0) {
            return Round.none(settings.callers());
        }
        return concurrently(caller -> Optional.of(bare(dir, Checkouts.NONE).totalNanos()));
    }

    private interface Attempt {
        Optional<Long> run(int caller);
    }

    private Round concurrently(Attempt attempt) throws Exception {
        int callers = settings.callers();
        ExecutorService threads = Executors.newFixedThreadPool(callers, runnable -> {
            Thread thread = new Thread(runnable, "latency-caller");
            thread.setDaemon(true);
            return thread;
        });
        try {
            long started = System.nanoTime();
            long until = started + settings.bound().toNanos();
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int caller = c;
                int share = settings.concurrentRuns() / callers + (caller < settings.concurrentRuns() % callers ? 1 : 0);
                futures.add(threads.submit(() -> {
                    List<Long> totals = new ArrayList<>();
                    for (int i = 0; i < share && System.nanoTime() < until; i++) {
                        attempt.run(caller).ifPresent(totals::add);
                    }
                    return totals;
                }));
            }
            List<Long> totals = new ArrayList<>();
            for (Future<List<Long>> future : futures) {
                totals.addAll(future.get(settings.bound().toNanos() + WATCH_DEADLINE.toNanos(), TimeUnit.NANOSECONDS));
            }
            return new Round(callers, settings.concurrentRuns(), (System.nanoTime() - started) / 1e9, totals);
        } finally {
            threads.shutdownNow();
        }
    }

    private Map<String, List<String>> storeArguments(Path dataDir) throws IOException, SQLException {
        if (!(settings.store() instanceof RunLatencySettings.Store.Postgres postgres)) {
            return Map.of();
        }
        ReliabilitySettings.Database db = postgres.database();
        String gatewaySchema = postgres.schemaPrefix() + "_gateway";
        String auditSchema = postgres.schemaPrefix() + "_audit";
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement statement = connection.createStatement()) {
            for (String schema : List.of(gatewaySchema, auditSchema)) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                statement.execute("CREATE SCHEMA " + schema);
            }
        }
        Path password = dataDir.resolve("secrets").resolve("db-password");
        Files.createDirectories(password.getParent());
        Files.createFile(password, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(password, db.password(), UTF_8);
        return Map.of(
                "gateway", List.of("--jdbc-url", db.inSchema(gatewaySchema), "--db-user", db.user(), "--db-password-file",
                        password.toString()),
                "audit", List.of("--jdbc-url", db.inSchema(auditSchema), "--db-user", db.user(), "--db-password-file",
                        password.toString()));
    }

    /** Drops the PostgreSQL schemas, when the benchmark ran on PostgreSQL (tests clean up after themselves). */
    public void dropSchemas() throws SQLException {
        if (settings.store() instanceof RunLatencySettings.Store.Postgres postgres) {
            ReliabilitySettings.Database db = postgres.database();
            try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + postgres.schemaPrefix() + "_gateway CASCADE");
                statement.execute("DROP SCHEMA IF EXISTS " + postgres.schemaPrefix() + "_audit CASCADE");
            }
        }
    }

    /** Opens the channel's connection (TLS handshake included) before anything is timed. */
    private static void connect(ManagedChannel channel) {
        try {
            GatewayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .getRun(GetRunRequest.newBuilder().setRunId(UUID.randomUUID().toString()).build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
            }
        }
    }

    private static boolean isFinal(RunState state) {
        return switch (state) {
            case RUN_STATE_SUCCEEDED, RUN_STATE_FAILED, RUN_STATE_CANCELLED, RUN_STATE_TIMED_OUT, RUN_STATE_DENIED,
                    RUN_STATE_REJECTED, RUN_STATE_EXPIRED -> true;
            default -> false;
        };
    }

    private static Instant instant(Timestamp time) {
        return Instant.ofEpochSecond(time.getSeconds(), time.getNanos());
    }

    private static double millis(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    private static String callerName(int index) {
        return String.format("latency-%02d", index);
    }

    /** A channel to 127.0.0.1, where the dev services bind (the dev certificates name it). */
    private static ManagedChannel channel(DevPki pki, String member, int port) {
        try {
            return Grpc.newChannelBuilder("127.0.0.1:" + port, TlsChannelCredentials.newBuilder()
                    .keyManager(pki.certFile(member).toFile(), pki.keyFile(member).toFile())
                    .trustManager(pki.caFile().toFile()).build()).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the certificate of " + member, e);
        }
    }

    /**
     * Checkouts as the local executor makes them (LocalProcessTaskBackend: {@code git clone
     * --no-checkout --template= --no-hardlinks} of the repository's path, then {@code git checkout
     * --detach COMMIT}), next to the same clone of the file URL through git's file transport (as it
     * made them before), each into a fresh directory, so the checkout's share of a run can be told
     * from the rest. Single-threaded.
     */
    private static final class Checkouts {
        static final Checkouts NONE = new Checkouts(Path.of("."), "", Path.of("."));

        private final Path repo;
        private final String commit;
        private final Path scratch;
        private int made;

        Checkouts(Path repo, String commit, Path scratch) {
            this.repo = repo;
            this.commit = commit;
            this.scratch = scratch;
        }

        /**
         * Makes one checkout of each kind, in alternating order, and returns how long each took
         * (by path, through the transport); zeros for {@link #NONE}.
         */
        long[] timePair() {
            if (commit.isEmpty()) {
                return new long[2];
            }
            boolean pathFirst = (made / 2) % 2 == 0; // two checkouts per pair
            long first = timeOne(pathFirst);
            long second = timeOne(!pathFirst);
            return pathFirst ? new long[] {first, second} : new long[] {second, first};
        }

        private long timeOne(boolean byPath) {
            try {
                Path target = Files.createDirectories(scratch).resolve("c-" + made++);
                long started = System.nanoTime();
                if (byPath) {
                    git(scratch, "clone", "--no-checkout", "--quiet", "--template=", "--no-hardlinks", "--",
                            repo.toAbsolutePath().toString(), target.toString());
                } else {
                    git(scratch, "clone", "--no-checkout", "--quiet", "--", "file://" + repo.toAbsolutePath(), target.toString());
                }
                git(target, "checkout", "--quiet", "--detach", commit, "--");
                return System.nanoTime() - started;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make a bare checkout", e);
            }
        }

        void clean() throws IOException {
            if (!commit.isEmpty() && Files.exists(scratch)) {
                try (Stream<Path> walk = Files.walk(scratch)) {
                    for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }
        }

        private static void git(Path directory, String... arguments) throws IOException {
            List<String> command = new ArrayList<>(List.of("git", "-c", "core.hooksPath=/dev/null", "-c", "protocol.file.allow=always"));
            command.addAll(List.of(arguments));
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
            builder.environment().put("GIT_TERMINAL_PROMPT", "0");
            builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
            Process git = builder.start();
            git.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            try {
                if (!git.waitFor(60, TimeUnit.SECONDS) || git.exitValue() != 0) {
                    throw new IllegalStateException("git " + arguments[0] + " failed in the bare checkout");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during a bare checkout", e);
            }
        }
    }
}
