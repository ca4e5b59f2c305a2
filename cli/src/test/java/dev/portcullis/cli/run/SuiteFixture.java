package dev.portcullis.cli.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.portcullis.cli.call.ClientEnvironment;
import dev.portcullis.cli.dev.DevMode;
import dev.portcullis.cli.dev.DevModeOptions;
import dev.portcullis.runtime.telemetry.TelemetrySource;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.QueryOrder;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunSpec;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.SubmitRunRequest;
import dev.portcullis.v1.WatchRunRequest;
import dev.portcullis.v1.WatchRunResponse;
import io.grpc.Grpc;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The whole suite as dev mode runs it, with a catalog and a git repository made by the test:
 * repo "example" with folders stage/app and prod/app whose plan.sh writes plan.out and whose
 * apply.sh prints the plan it applies. Channels for the dev CI, approver, admin and auditor.
 */
final class SuiteFixture implements AutoCloseable {
    static final String CATALOG = """
            version: 1
            environments:
              stage:
                approvals: 0
              prod:
                approvals: 1
            commands:
              plan:
                argv: ["sh", "plan.sh", "${environment}"]
                produces: plan.out
              slow:
                argv: ["sh", "slow.sh"]
              apply:
                argv: ["sh", "apply.sh", "plan.out"]
                requires_plan: true
                changes_infrastructure: true
            repos:
              - name: example
                url: file://@REPO@
                folders: ["stage/**", "prod/**"]
                callers: ["spiffe://portcullis.dev/ci/**", "spiffe://portcullis.dev/human/admin"]
                rules:
                  - commands: [plan, slow]
                    refs: ["refs/heads/**"]
                    environments: [stage, prod]
                  - commands: [apply]
                    refs: ["refs/heads/main"]
                    environments: [stage, prod]
            """;

    private static final Set<RunState> FINAL = Set.of(RunState.RUN_STATE_DENIED, RunState.RUN_STATE_REJECTED,
            RunState.RUN_STATE_EXPIRED, RunState.RUN_STATE_SUCCEEDED, RunState.RUN_STATE_FAILED, RunState.RUN_STATE_CANCELLED,
            RunState.RUN_STATE_TIMED_OUT);

    final Path gate;
    final Path dataDir;
    final Path repo;
    final String mainCommit;
    final String branchCommit;
    final DevMode dev;
    private final List<ManagedChannel> channels = new ArrayList<>();

    private SuiteFixture(Path dataDir, Path repo, String mainCommit, String branchCommit, DevMode dev) {
        this.gate = dataDir.getParent().resolve("gate");
        this.dataDir = dataDir;
        this.repo = repo;
        this.mainCommit = mainCommit;
        this.branchCommit = branchCommit;
        this.dev = dev;
    }

    static SuiteFixture start(Path dir) throws Exception {
        return start(dir, Map.of(), Optional.empty());
    }

    /** As {@link #start(Path)}, with service properties laid over dev mode's. */
    static SuiteFixture start(Path dir, Map<String, Map<String, Object>> overrides) throws Exception {
        return start(dir, overrides, Optional.empty());
    }

    /** The suite with its services' telemetry from {@code telemetry} (in-memory exporters). */
    static SuiteFixture start(Path dir, Optional<TelemetrySource> telemetry) throws Exception {
        return start(dir, Map.of(), telemetry);
    }

    static SuiteFixture start(Path dir, Map<String, Map<String, Object>> overrides, Optional<TelemetrySource> telemetry)
            throws Exception {
        return start(dir, CATALOG, overrides, telemetry);
    }

    /** As above, with {@code catalog} (its {@code @REPO@} replaced) over the repository {@link #CATALOG} describes. */
    static SuiteFixture start(Path dir, String catalog, Map<String, Map<String, Object>> overrides,
            Optional<TelemetrySource> telemetry) throws Exception {
        Path data = dir.resolve("data");
        Path repo = dir.resolve("repo");
        Files.createDirectories(data);
        for (String env : List.of("stage", "prod")) {
            Path folder = Files.createDirectories(repo.resolve(env).resolve("app"));
            Files.writeString(folder.resolve("plan.sh"), """
                    echo "demo plan for $1"
                    echo "+ resource demo_$1 (commit state)" > plan.out
                    echo "Plan: 1 to add"
                    """, UTF_8);
            Files.writeString(folder.resolve("slow.sh"), """
                    echo "before the gate"
                    while [ ! -e "@GATE@" ]; do sleep 0.05; done
                    echo "after the gate"
                    """.replace("@GATE@", dir.resolve("gate").toAbsolutePath().toString()), UTF_8);
            Files.writeString(folder.resolve("apply.sh"), """
                    echo "applying $(cat "$1")"
                    echo "Apply complete"
                    """, UTF_8);
        }
        git(repo, "init", "-q", "-b", "main");
        git(repo, "add", ".");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "initial");
        String main = git(repo, "rev-parse", "HEAD");
        git(repo, "checkout", "-q", "-b", "feature/x");
        Files.writeString(repo.resolve("stage/app/notes.txt"), "a change on a branch\n", UTF_8);
        git(repo, "add", ".");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "branch change");
        String branch = git(repo, "rev-parse", "HEAD");
        git(repo, "checkout", "-q", "main");
        Files.writeString(data.resolve("catalog.yaml"), catalog.replace("@REPO@", repo.toAbsolutePath().toString()), UTF_8);
        DevModeOptions options = DevModeOptions.in(data).withOverrides(overrides);
        DevMode dev = DevMode.start(telemetry.map(options::withTelemetry).orElse(options));
        return new SuiteFixture(data, repo, main, branch, dev);
    }

    /**
     * The suite with {@code catalog} (its {@code @REPO@} replaced by {@code repo}'s path) over a
     * repository the test made; {@code mainCommit} and {@code branchCommit} as the test names them.
     */
    static SuiteFixture startWith(Path dir, String catalog, Path repo, String mainCommit, String branchCommit)
            throws Exception {
        return startWith(dir, catalog, repo, mainCommit, branchCommit, Map.of());
    }

    /** As above, with service properties laid over dev mode's. */
    static SuiteFixture startWith(Path dir, String catalog, Path repo, String mainCommit, String branchCommit,
            Map<String, Map<String, Object>> overrides) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("catalog.yaml"), catalog.replace("@REPO@", repo.toAbsolutePath().toString()), UTF_8);
        return new SuiteFixture(data, repo, mainCommit, branchCommit,
                DevMode.start(DevModeOptions.in(data).withOverrides(overrides)));
    }

    /**
     * The suite exactly as {@code portcullis dev} starts it on a fresh data directory: its dev
     * catalog and its demo repository ({@code DATA_DIR/repos/example}). {@code branchCommit} is
     * the head of {@code feature/demo}.
     */
    static SuiteFixture startOnDemo(Path dir) throws Exception {
        Path data = dir.resolve("data");
        DevMode dev = DevMode.start(DevModeOptions.in(data));
        Path repo = dev.demoRepository();
        return new SuiteFixture(data, repo, git(repo, "rev-parse", "main"), git(repo, "rev-parse", "feature/demo"), dev);
    }

    static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), UTF_8).strip();
        assertEquals(0, process.waitFor(), "git " + String.join(" ", args) + ": " + out);
        return out;
    }

    /**
     * A channel to {@code service} as the dev identity {@code member} (ci, approver, admin,
     * auditor), its calls passing through {@code interceptors}.
     */
    ManagedChannel channel(String service, String member, ClientInterceptor... interceptors) {
        ClientEnvironment env = new ClientEnvironment(Map.of(
                "PORTCULLIS_CA_FILE", dev.pki().caFile().toString(),
                "PORTCULLIS_CERT_FILE", dev.pki().certFile(member).toString(),
                "PORTCULLIS_KEY_FILE", dev.pki().keyFile(member).toString()));
        ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + dev.ports().get(service), env.credentials())
                .intercept(interceptors).build();
        channels.add(channel);
        return channel;
    }

    /** A channel to a loopback {@code port} as the dev identity {@code member}. */
    ManagedChannel channelTo(int port, String member) {
        ClientEnvironment env = new ClientEnvironment(Map.of(
                "PORTCULLIS_CA_FILE", dev.pki().caFile().toString(),
                "PORTCULLIS_CERT_FILE", dev.pki().certFile(member).toString(),
                "PORTCULLIS_KEY_FILE", dev.pki().keyFile(member).toString()));
        ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + port, env.credentials()).build();
        channels.add(channel);
        return channel;
    }

    GatewayServiceGrpc.GatewayServiceBlockingStub gateway(String member) {
        return GatewayServiceGrpc.newBlockingStub(channel("gateway", member)).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    static RunSpec.Builder spec(String commit, String ref, String folder, String environment, String command) {
        return RunSpec.newBuilder().setRepo("example").setCommitSha(commit).setRef(ref).setFolder(folder)
                .setEnvironment(environment).setCommand(command);
    }

    Run submit(String member, RunSpec.Builder spec) {
        return gateway(member).submitRun(SubmitRunRequest.newBuilder().setSpec(spec)
                .setRequestKey("job-" + UUID.randomUUID()).build()).getRun();
    }

    /** Watches a run from {@code from} until it ends; returns every event received. */
    List<WatchRunResponse> watch(String runId, long from) {
        List<WatchRunResponse> events = new ArrayList<>();
        Iterator<WatchRunResponse> stream = GatewayServiceGrpc.newBlockingStub(channel("gateway", "ci"))
                .withDeadlineAfter(120, TimeUnit.SECONDS)
                .watchRun(WatchRunRequest.newBuilder().setRunId(runId).setFromOffset(from).build());
        stream.forEachRemaining(events::add);
        return events;
    }

    Run awaitState(String runId, RunState state) {
        AtomicReference<Run> run = new AtomicReference<>();
        await("run " + runId + " reaching " + state).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    run.set(gateway("ci").getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun());
                    return run.get().getState() == state || FINAL.contains(run.get().getState()); // a final state ends the wait
                });
        if (run.get().getState() != state) {
            fail("run " + runId + " did not reach " + state + "; it is " + run.get());
        }
        return run.get();
    }

    static String log(List<WatchRunResponse> events) {
        StringBuilder text = new StringBuilder();
        events.stream().filter(WatchRunResponse::hasLogLine).forEach(e -> text.append(e.getLogLine().getText()).append('\n'));
        return text.toString();
    }

    /** The audit events of a run, waiting until one of each of {@code actions} arrived through the outboxes. */
    List<ChainedEvent> auditOf(String runId, Set<AuditAction> actions) {
        AtomicReference<List<ChainedEvent>> found = new AtomicReference<>(List.of());
        await("the audit events of run " + runId).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    List<ChainedEvent> events = auditOf(runId);
                    found.set(events);
                    assertTrue(events.stream().map(event -> event.getEvent().getAction()).collect(Collectors.toSet())
                            .containsAll(actions), "not all of " + actions + " for run " + runId + ": " + events);
                });
        return found.get();
    }

    /** The audit events of a run, waiting until at least {@code atLeast} arrived through the outboxes. */
    List<ChainedEvent> auditOf(String runId, int atLeast) {
        AtomicReference<List<ChainedEvent>> found = new AtomicReference<>(List.of());
        await("the audit events of run " + runId).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    List<ChainedEvent> events = auditOf(runId);
                    found.set(events);
                    assertTrue(events.size() >= atLeast, "only " + events.size() + " audit events for run " + runId + ": " + events);
                });
        return found.get();
    }

    private List<ChainedEvent> auditOf(String runId) {
        List<ChainedEvent> events = new ArrayList<>();
        AuditServiceGrpc.newBlockingStub(channel("audit", "auditor")).withDeadlineAfter(30, TimeUnit.SECONDS)
                .query(QueryRequest.newBuilder().setRunId(runId).setLimit(1000).setBatched(true).build())
                .forEachRemaining(response -> events.addAll(response.getEventsList()));
        return events;
    }

    /** The audit events of repo "example" with one of {@code actions}, oldest first, as stored now. */
    List<ChainedEvent> auditEvents(List<AuditAction> actions) {
        List<ChainedEvent> events = new ArrayList<>();
        AuditServiceGrpc.newBlockingStub(channel("audit", "auditor")).withDeadlineAfter(30, TimeUnit.SECONDS)
                .query(QueryRequest.newBuilder().setRepo("example").setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST)
                        .addAllActions(actions).setLimit(10_000).setBatched(true).build())
                .forEachRemaining(response -> events.addAll(response.getEventsList()));
        return events;
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        dev.close();
    }
}
