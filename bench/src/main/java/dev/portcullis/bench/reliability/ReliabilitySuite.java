package dev.portcullis.bench.reliability;

import static dev.portcullis.bench.BenchSupport.freshDirectory;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import dev.portcullis.cli.dev.DevMode;
import dev.portcullis.cli.dev.issuer.DevIssuer;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.pki.CertificateRequest;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.QueryOrder;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.QueryResponse;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunSpec;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.VerifyRequest;
import dev.portcullis.v1.VerifyResponse;
import dev.portcullis.v1.WatchRunRequest;
import dev.portcullis.v1.WatchRunResponse;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The reliability suite: the four dev services as child processes on PostgreSQL, N concurrent
 * CI callers submitting and watching plan runs, SIGKILLs of every service at seeded random
 * points of that load, and afterwards a count of everything that should hold: every acknowledged
 * run ended, no task ran twice, every audit event a run's path implies arrived exactly once, the
 * chain verifies, and every caller saw its run's whole event list. Not thread-safe; run once.
 */
public final class ReliabilitySuite {
    private static final Duration WATCH_GRACE = Duration.ofMinutes(3);
    private static final Duration DRAIN = Duration.ofSeconds(90);
    private static final Duration AUDIT_DRAIN = Duration.ofSeconds(120);
    private static final int MAX_PROBLEM_LINES = 40;
    /** Gateway replicas, sharing the gateway schema; the callers spread over them. */
    private static final int GATEWAYS = 2;
    /** Executor replicas, sharing the executor schema (their task database). */
    private static final int EXECUTORS = 2;

    private final ReliabilitySettings settings;
    private final PrintStream log;
    private final Clock clock = Clock.systemUTC();
    private final List<String> problems = new ArrayList<>();

    public ReliabilitySuite(ReliabilitySettings settings, PrintStream log) {
        this.settings = requireNonNull(settings, "settings is null");
        this.log = requireNonNull(log, "log is null");
    }

    /**
     * The hostile corpus against the running suite, after the load and its faults: every case
     * refused with its status and reason and found in the audit log.
     */
    static Optional<ReliabilityReport.HostileOutcome> hostile(SuiteEndpoints endpoints) {
        HostileReport report = HostileCorpus.run(endpoints);
        return Optional.of(new ReliabilityReport.HostileOutcome(report.tried(), report.refused(), report.unexpected()));
    }

    /** Runs the suite and returns its figures; throws only when the suite itself cannot be set up. */
    public ReliabilityReport run() throws Exception {
        long begin = System.nanoTime();
        Instant since = clock.instant().minusSeconds(60);
        Path dataDir = settings.dataDir().toAbsolutePath();
        freshDirectory(dataDir);
        LoadRepository repository = LoadRepository.create(dataDir.resolve("repos").resolve(LoadRepository.REPO),
                Math.max(1, (settings.callers() + 3) / 4), dataDir.resolve("catalog.yaml"));
        DevMode.Prepared prepared = DevMode.prepare(dataDir, clock);
        DevPki pki = prepared.pki();
        for (int i = 0; i < settings.callers(); i++) {
            pki.issue(callerName(i), new CertificateRequest(callerName(i),
                    new SpiffeId("spiffe://" + DevPki.TRUST_DOMAIN + "/ci/load/" + callerName(i)), List.of(), List.of(),
                    Validity.startingNow(clock, DevPki.LEAF_VALIDITY)));
        }
        String gatewaySchema = settings.schemaPrefix() + "_gateway";
        String executorSchema = settings.schemaPrefix() + "_executor";
        String auditSchema = settings.schemaPrefix() + "_audit";
        resetSchemas(gatewaySchema, executorSchema, auditSchema);
        Path password = writePrivate(dataDir.resolve("secrets").resolve("db-password"), settings.database().password());
        int basePort = ServiceProcesses.freeBasePort(4 + (GATEWAYS - 1) + (EXECUTORS - 1));
        // the hostile corpus' token cases: the gateway accepts the dev issuer (here, in this
        // process, as `portcullis dev` runs it) and a second issuer that is down
        DevIssuer issuer = DevIssuer.start(dataDir, pki, clock);
        String downIssuer = SuiteIssuers.unreachableIssuerUrl();
        List<String> gatewayArguments = new ArrayList<>(database(gatewaySchema, password));
        // a short lease, so a gateway replica takes a dead one's runs over within seconds
        gatewayArguments.addAll(List.of("--set", "portcullis.gateway.runs.lease=5s", "--set",
                "portcullis.gateway.runs.poll-interval=250ms"));
        Map<String, Object> issuers = new TreeMap<>(issuer.gatewayProperties());
        issuers.putAll(SuiteIssuers.downIssuerProperties(downIssuer, pki));
        issuers.putAll(SuiteEndpoints.UNLIMITED_REFUSALS); // the hostile corpus audits every refusal it provokes
        issuers.forEach((key, value) -> gatewayArguments.addAll(List.of("--set", key + "=" + value)));
        List<String> executorArguments = new ArrayList<>(database(executorSchema, password));
        // a short lease, so an executor replica takes a dead one's tasks over within seconds
        executorArguments.addAll(List.of("--set", "portcullis.executor.store.lease=5s"));
        List<String> auditArguments = new ArrayList<>(database(auditSchema, password));
        SuiteEndpoints.UNLIMITED_REFUSALS.forEach((key, value) -> auditArguments.addAll(List.of("--set", key + "=" + value)));
        List<ServiceProcesses.Instance> instances = instances(dataDir, basePort, gatewayArguments, executorArguments,
                auditArguments);
        log.printf("reliability: seed %d, %d callers x %d runs, %d faults, data in %s, %s%n", settings.seed(),
                settings.callers(), settings.runsPerCaller(), settings.faults(), dataDir, instances.stream()
                        .map(i -> i.name() + " :" + i.port()).toList());
        List<ManagedChannel> channels = new ArrayList<>();
        try (issuer; ServiceProcesses services = new ServiceProcesses(dataDir, basePort, pki, instances)) {
            services.startAll();
            Map<String, Long> rssStart = rss(services);
            List<String> gateways = services.instancesOf("gateway");
            ManagedChannel gatewayAuditor = channel(pki, "auditor", services.port(gateways.get(0)), channels);
            // the runs' event lists are read again through another replica than the one asked for their state
            ManagedChannel otherGatewayAuditor = channel(pki, "auditor", services.port(gateways.get(gateways.size() - 1)),
                    channels);
            ManagedChannel auditAuditor = channel(pki, "auditor", services.port("audit"), channels);

            AtomicInteger progress = new AtomicInteger();
            AtomicBoolean loadOver = new AtomicBoolean();
            int planned = settings.callers() * settings.runsPerCaller();
            FaultInjector faults = new FaultInjector(services, settings.faultTargets(), settings.seed(), settings.faults(), planned, progress, loadOver, log);
            Thread faultThread = new Thread(faults, "fault-injector");
            ExecutorService callerThreads = Executors.newFixedThreadPool(settings.callers(), runnable -> {
                Thread thread = new Thread(runnable, "load-caller");
                thread.setDaemon(true);
                return thread;
            });
            String keyPrefix = "rel-" + Long.toHexString(new Random(settings.seed()).nextLong() ^ System.nanoTime());
            long loadStart = System.nanoTime();
            long submitUntil = loadStart + settings.duration().toNanos();
            long giveUpAt = submitUntil + WATCH_GRACE.toNanos();
            List<Future<List<LoadCaller.Outcome>>> futures = new ArrayList<>();
            for (int i = 0; i < settings.callers(); i++) {
                RunSpec spec = RunSpec.newBuilder().setRepo(LoadRepository.REPO).setCommitSha(repository.commit())
                        .setRef("refs/heads/main").setFolder(repository.folder(i)).setEnvironment(repository.environment(i))
                        .setCommand("plan").build();
                List<ManagedChannel> callerGateways = new ArrayList<>();
                for (String gateway : gateways) {
                    callerGateways.add(channel(pki, callerName(i), services.port(gateway), channels));
                }
                LoadCaller caller = new LoadCaller(i, callerGateways, spec, keyPrefix);
                futures.add(callerThreads.submit(() -> caller.run(settings.runsPerCaller(), submitUntil, giveUpAt, progress)));
            }
            faultThread.start();
            List<LoadCaller.Outcome> outcomes = new ArrayList<>();
            for (Future<List<LoadCaller.Outcome>> future : futures) {
                outcomes.addAll(future.get());
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            loadOver.set(true);
            faultThread.join(TimeUnit.MINUTES.toMillis(5));
            callerThreads.shutdown();
            log.printf("reliability: load over after %.1f s: %d submissions, %d faults; verifying%n", loadSeconds,
                    outcomes.size(), faults.injected().size());

            Optional<ReliabilityReport.HostileOutcome> hostile = hostile(new SuiteEndpoints(pki, "localhost",
                    services.port(gateways.get(0)), services.port("audit"), dataDir.resolve("catalog.yaml"),
                    new SuiteIssuers(issuer.tokens(), downIssuer)));
            ReliabilityReport report = verify(outcomes, gatewayAuditor, otherGatewayAuditor, auditAuditor, since, loadSeconds,
                    faults, hostile,
                    rssStart, rss(services), begin);
            writeProblems(dataDir);
            return report;
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
        }
    }

    private ReliabilityReport verify(List<LoadCaller.Outcome> outcomes, ManagedChannel gateway, ManagedChannel otherGateway,
            ManagedChannel audit,
            Instant since, double loadSeconds, FaultInjector faults, Optional<ReliabilityReport.HostileOutcome> hostile,
            Map<String, Long> rssStart, Map<String, Long> rssEnd, long begin) throws InterruptedException {
        List<LoadCaller.Outcome> acknowledged = outcomes.stream().filter(o -> o.runId().isPresent()).toList();
        outcomes.stream().filter(o -> o.runId().isEmpty())
                .forEach(o -> problem("caller " + o.caller() + " key " + o.requestKey() + ": " + o.problems()));
        // every acknowledged run must be known and end within the drain bound
        long drainUntil = System.nanoTime() + DRAIN.toNanos();
        Map<String, Run> finalRuns = new LinkedHashMap<>();
        int lost = 0;
        for (LoadCaller.Outcome outcome : acknowledged) {
            String id = outcome.runId().orElseThrow();
            Optional<Run> run = awaitFinal(gateway, id, drainUntil);
            if (run.isPresent() && RunStates.isFinal(run.get().getState())) {
                finalRuns.put(id, run.get());
            } else {
                lost++;
                problem("run " + id + " (caller " + outcome.caller() + ") " + run.map(r -> "stuck in " + r.getState())
                        .orElse("unknown to the gateway"));
            }
        }
        Map<String, Integer> states = new TreeMap<>();
        finalRuns.values().forEach(r -> states.merge(r.getState().name().replace("RUN_STATE_", ""), 1, Integer::sum));
        // a failed run is final, not lost (a task running when its executor died fails by design); say why
        Map<String, Integer> failures = new TreeMap<>();
        finalRuns.values().stream().filter(r -> !r.getState().name().equals("RUN_STATE_SUCCEEDED")).forEach(r -> failures.merge(
                r.getState().name() + ": " + r.getStateReason().substring(0, Math.min(100, r.getStateReason().length())), 1,
                Integer::sum));
        failures.forEach((reason, count) -> log.printf("reliability: %d run(s) ended %s%n", count, reason));
        // the callers never cancel: a cancelled run was cancelled by the suite's own services
        int cancelledUnasked = 0;
        for (Map.Entry<String, Run> run : finalRuns.entrySet()) {
            if (run.getValue().getState() == RunState.RUN_STATE_CANCELLED) {
                cancelledUnasked++;
                problem("run " + run.getKey() + " ended CANCELLED though no caller cancelled it: "
                        + run.getValue().getStateReason());
            }
        }

        // each caller's watch against the run's whole event list, read again from offset 0
        Map<String, List<WatchRunResponse>> full = new HashMap<>();
        int watchComplete = 0;
        int reconnects = 0;
        for (LoadCaller.Outcome outcome : acknowledged) {
            reconnects += outcome.watchReconnects();
            String id = outcome.runId().orElseThrow();
            if (!finalRuns.containsKey(id)) {
                continue;
            }
            List<WatchRunResponse> events = readAll(otherGateway, id);
            full.put(id, events);
            if (events.equals(outcome.events())) {
                watchComplete++;
            } else {
                problem("run " + id + ": the caller saw " + outcome.events().size() + " events, the run has " + events.size()
                        + (outcome.problems().isEmpty() ? "" : " " + outcome.problems()));
            }
        }

        // the audit log: every event the runs' paths imply, exactly once; wait for the outboxes to drain
        long auditUntil = System.nanoTime() + AUDIT_DRAIN.toNanos();
        Map<String, RunLedger.Count> counts;
        while (true) {
            Map<String, List<AuditEvent>> byRun = auditEventsByRun(audit, since);
            counts = new LinkedHashMap<>();
            for (Map.Entry<String, List<WatchRunResponse>> run : full.entrySet()) {
                counts.put(run.getKey(), RunLedger.compare(run.getValue(), byRun.getOrDefault(run.getKey(), List.of())));
            }
            boolean complete = counts.values().stream().allMatch(c -> c.lost() == 0);
            if (complete || System.nanoTime() > auditUntil) {
                break;
            }
            TimeUnit.SECONDS.sleep(2); // a pause between two polls of the audit log against a deadline
        }
        int eventsLost = 0;
        int eventsDuplicated = 0;
        int duplicateTasks = 0;
        for (Map.Entry<String, RunLedger.Count> count : counts.entrySet()) {
            RunLedger.Count c = count.getValue();
            eventsLost += c.lost();
            eventsDuplicated += c.duplicated();
            duplicateTasks += c.taskRanTwice() ? 1 : 0;
            if (c.lost() > 0 || c.duplicated() > 0 || c.taskRanTwice()) {
                problem("run " + count.getKey() + " (" + finalRuns.get(count.getKey()).getState() + "): audit " + c.detail()
                        + (c.taskRanTwice() ? "; its task ran twice" : ""));
            }
        }
        VerifyResponse chain = retrying(() -> AuditServiceGrpc.newBlockingStub(audit).withDeadlineAfter(120, TimeUnit.SECONDS)
                .verify(VerifyRequest.getDefaultInstance()), System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
        if (!chain.getIntact()) {
            problem("audit chain broken at " + chain.getFirstBrokenSequence() + ": " + chain.getProblem());
        }

        long[] submitNanos = acknowledged.stream().mapToLong(LoadCaller.Outcome::submitNanos).sorted().toArray();
        int finishedDuringLoad = (int) acknowledged.stream().filter(o -> o.finalState().isPresent()).count();
        return new ReliabilityReport(settings.callers(), settings.seed(), acknowledged.size(), finalRuns.size(), lost,
                cancelledUnasked, outcomes.size() - acknowledged.size(), states, duplicateTasks, eventsLost, eventsDuplicated, chain.getIntact(),
                chain.getChecked(), watchComplete, reconnects, loadSeconds, finishedDuringLoad / loadSeconds,
                percentileMillis(submitNanos, 50), percentileMillis(submitNanos, 99), faults.injected(), settings.faults(),
                faults.failure().isEmpty(), hostile, rssStart, rssEnd, (System.nanoTime() - begin) / 1e9, problems);
    }

    private Optional<Run> awaitFinal(ManagedChannel gateway, String id, long until) throws InterruptedException {
        while (true) {
            Optional<Run> run;
            try {
                run = Optional.of(retrying(() -> GatewayServiceGrpc.newBlockingStub(gateway).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .getRun(GetRunRequest.newBuilder().setRunId(id).build()).getRun(), until));
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    return Optional.empty();
                }
                throw e;
            }
            if (RunStates.isFinal(run.get().getState()) || System.nanoTime() > until) {
                return run;
            }
            TimeUnit.MILLISECONDS.sleep(250); // a pause between two polls against the drain bound
        }
    }

    private static List<WatchRunResponse> readAll(ManagedChannel gateway, String id) {
        return retrying(() -> {
            List<WatchRunResponse> events = new ArrayList<>();
            Iterator<WatchRunResponse> stream = GatewayServiceGrpc.newBlockingStub(gateway).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .watchRun(WatchRunRequest.newBuilder().setRunId(id).setFromOffset(0).build());
            stream.forEachRemaining(events::add);
            return events;
        }, System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
    }

    /** Every audit event since {@code since}, oldest first, by the run it names. */
    private static Map<String, List<AuditEvent>> auditEventsByRun(ManagedChannel audit, Instant since) {
        Map<String, List<AuditEvent>> byRun = new HashMap<>();
        String cursor = "";
        while (true) {
            String from = cursor;
            List<QueryResponse> page = retrying(() -> {
                List<QueryResponse> responses = new ArrayList<>();
                AuditServiceGrpc.newBlockingStub(audit).withDeadlineAfter(60, TimeUnit.SECONDS)
                        .query(QueryRequest.newBuilder().setFromTime(Timestamp.newBuilder().setSeconds(since.getEpochSecond()))
                                .setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST).setLimit(10_000).setCursor(from).setBatched(true)
                                .build())
                        .forEachRemaining(responses::add);
                return responses;
            }, System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
            int events = 0;
            for (QueryResponse response : page) {
                for (ChainedEvent stored : response.getEventsList()) {
                    AuditEvent event = stored.getEvent();
                    events++;
                    if (!event.getResource().getRunId().isEmpty()) {
                        byRun.computeIfAbsent(event.getResource().getRunId(), k -> new ArrayList<>()).add(event);
                    }
                }
            }
            if (events < 10_000) {
                return byRun;
            }
            cursor = page.get(page.size() - 1).getCursor();
        }
    }

    /** Calls {@code call} again while the service answers UNAVAILABLE, until {@code until} (System.nanoTime). */
    private static <T> T retrying(Supplier<T> call, long until) {
        while (true) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() > until) {
                    throw e;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(250); // a retry pause
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private void problem(String line) {
        problems.add(line);
    }

    private void writeProblems(Path dataDir) throws IOException {
        Files.write(dataDir.resolve("problems.txt"), problems, StandardCharsets.UTF_8);
        problems.stream().limit(MAX_PROBLEM_LINES).forEach(line -> log.println("reliability: PROBLEM " + line));
        if (problems.size() > MAX_PROBLEM_LINES) {
            log.println("reliability: ... " + (problems.size() - MAX_PROBLEM_LINES) + " more in " + dataDir.resolve("problems.txt"));
        }
    }

    private static double percentileMillis(long[] sorted, int percent) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private static Map<String, Long> rss(ServiceProcesses services) {
        Map<String, Long> rss = new LinkedHashMap<>();
        services.names().forEach(name -> services.rssBytes(name).ifPresent(bytes -> rss.put(name, bytes)));
        return rss;
    }

    /** {@code dev serve}'s database options for {@code schema} of the suite's PostgreSQL. */
    private List<String> database(String schema, Path password) {
        return List.of("--jdbc-url", settings.database().inSchema(schema), "--db-user", settings.database().user(),
                "--db-password-file", password.toString());
    }

    /**
     * The suite's processes in start order: audit, policy, {@value #EXECUTORS} executor(s),
     * {@value #GATEWAYS} gateways. The first of each service has its dev port, further replicas
     * the ports after the audit service's. Each gateway and executor replica has a work directory
     * of its own, its pod-local disk, which a fault wipes (neither has a spool: their audit
     * outboxes are tables of their databases); the executors share the
     * artifact directory (production's S3 bucket), and the gateways call every executor replica
     * through one address list. The policy service's spool is not pod-local: the chart keeps it
     * on a PersistentVolumeClaim that follows the pod.
     */
    private static List<ServiceProcesses.Instance> instances(Path dataDir, int basePort, List<String> gatewayArguments,
            List<String> executorArguments, List<String> auditArguments) {
        List<ServiceProcesses.Instance> instances = new ArrayList<>();
        instances.add(new ServiceProcesses.Instance("audit", "audit", basePort + 3, auditArguments, List.of()));
        instances.add(new ServiceProcesses.Instance("policy", "policy", basePort + 1, List.of(), List.of()));
        int extraPort = basePort + 4;
        List<String> executorAddresses = new ArrayList<>();
        for (int k = 1; k <= EXECUTORS; k++) {
            String name = EXECUTORS == 1 ? "executor" : "executor-" + k;
            int port = k == 1 ? basePort + 2 : extraPort++;
            // no spool: the executor's audit outbox is a table of its task database
            Path work = dataDir.resolve("work").resolve(name);
            List<String> arguments = new ArrayList<>(executorArguments);
            arguments.addAll(settings("portcullis.server.port", port, "portcullis.executor.work-dir", work,
                    "portcullis.executor.store.data-dir", work.resolve("store"),
                    "portcullis.executor.artifacts.dir", dataDir.resolve("artifacts")));
            instances.add(new ServiceProcesses.Instance(name, "executor", port, arguments, List.of(work)));
            executorAddresses.add("localhost:" + port);
        }
        for (int k = 1; k <= GATEWAYS; k++) {
            String name = GATEWAYS == 1 ? "gateway" : "gateway-" + k;
            int port = k == 1 ? basePort : extraPort++;
            // no spool: the gateway's audit outbox is a table of its run database
            Path store = dataDir.resolve("work").resolve(name);
            List<String> arguments = new ArrayList<>(gatewayArguments);
            arguments.addAll(settings("portcullis.server.port", port, "portcullis.gateway.executor-address",
                    String.join(",", executorAddresses), "portcullis.gateway.store.data-dir", store));
            instances.add(new ServiceProcesses.Instance(name, "gateway", port, arguments, List.of(store)));
        }
        return instances;
    }

    /** {@code --set KEY=VALUE} for each key and value in {@code pairs}. */
    private static List<String> settings(Object... pairs) {
        List<String> arguments = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            arguments.addAll(List.of("--set", pairs[i] + "=" + pairs[i + 1]));
        }
        return arguments;
    }

    private static String callerName(int index) {
        return String.format("caller-%03d", index);
    }

    private static ManagedChannel channel(DevPki pki, String member, int port, List<ManagedChannel> channels) {
        try {
            ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + port, TlsChannelCredentials.newBuilder()
                    .keyManager(pki.certFile(member).toFile(), pki.keyFile(member).toFile())
                    .trustManager(pki.caFile().toFile()).build()).build();
            channels.add(channel);
            return channel;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the certificate of " + member, e);
        }
    }

    private void resetSchemas(String... schemas) throws SQLException {
        ReliabilitySettings.Database db = settings.database();
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement statement = connection.createStatement()) {
            for (String schema : schemas) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                statement.execute("CREATE SCHEMA " + schema);
            }
        }
    }

    /** Drops the suite's schemas (tests clean up after themselves). */
    public void dropSchemas() throws SQLException {
        ReliabilitySettings.Database db = settings.database();
        try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement statement = connection.createStatement()) {
            for (String service : List.of("gateway", "executor", "audit")) {
                statement.execute("DROP SCHEMA IF EXISTS " + settings.schemaPrefix() + "_" + service + " CASCADE");
            }
        }
    }

    private static Path writePrivate(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }
}
