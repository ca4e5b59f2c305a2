package dev.portcullis.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.alert.AlertPipeline;
import dev.portcullis.audit.alert.AlertRulesConfig;
import dev.portcullis.audit.alert.AnomalyDetector;
import dev.portcullis.audit.alert.JdbcAlertStore;
import dev.portcullis.audit.alert.PipelineRules;
import dev.portcullis.audit.alert.PipelineRulesConfig;
import dev.portcullis.audit.alert.delivery.AlertDeliveryConfig;
import dev.portcullis.audit.alert.delivery.AlertDispatcher;
import dev.portcullis.audit.api.AuditGrpcService;
import dev.portcullis.audit.catalog.CatalogRepos;
import dev.portcullis.audit.catalog.CatalogView;
import dev.portcullis.audit.chain.ChainVerification;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.audit.source.JdbcSourceActivityStore;
import dev.portcullis.audit.source.Source;
import dev.portcullis.audit.source.SourceCounters;
import dev.portcullis.audit.source.SourceIntake;
import dev.portcullis.audit.source.SourceKind;
import dev.portcullis.audit.source.SourceMonitor;
import dev.portcullis.audit.source.SourceName;
import dev.portcullis.audit.source.SourceSecret;
import dev.portcullis.audit.source.Sources;
import dev.portcullis.audit.source.listener.HttpsSourceListener;
import dev.portcullis.audit.store.JdbcAuditStore;
import dev.portcullis.bench.Bench.Figure;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AuditServiceGrpc;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Outside-source ingest on the machine's PostgreSQL: signed GitHub push deliveries per second
 * over HTTPS on loopback (signature check, JSON mapping, the chain, the pipeline rules, the
 * per-source counters), next to the suite's own {@code Append} over mTLS with one event per call
 * into the same chain, in the same run. Both with the same number of concurrent senders, in
 * alternating rounds.
 */
final class WebhookIngestBench {
    private static final int SENDERS = 8;
    private static final int PER_ROUND = 2_000;
    private static final int ROUNDS = 4;
    private static final String SECRET = "bench-github-webhook-secret-0123456789";

    Map<String, Figure> run() throws Exception {
        String url = env("PORTCULLIS_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/portcullis_test");
        String user = env("PORTCULLIS_TEST_DB_USER", "portcullis_test");
        String password = env("PORTCULLIS_TEST_DB_PASSWORD", "portcullis_test");
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "");
        Path dir = Files.createTempDirectory("portcullis-webhook-bench");
        try (HikariDataSource data = Databases.open("audit", url, user, password, schema, 16)) {
            Clock clock = Clock.systemUTC();
            JdbcAuditStore store = new JdbcAuditStore(data, clock);
            CheckpointSigner signer = CheckpointSigner.load(dir.resolve("checkpoint.key"), dir.resolve("checkpoint.pub"), true);
            JdbcAlertStore alerts = new JdbcAlertStore(data, clock);
            AlertDispatcher dispatcher = new AlertDispatcher(List.of(), alerts, new AlertDeliveryConfig(List.of(),
                    Duration.ofSeconds(5), 5, Duration.ofSeconds(1), Duration.ofSeconds(60)), clock);
            CatalogView catalog = CatalogView.fixed(CatalogRepos.unconfigured(Optional.empty(), List.of()));
            // every rule runs on ingest, as in the service
            AlertPipeline pipeline = new AlertPipeline(List.of(
                    new AnomalyDetector(new AlertRulesConfig(true, 5, Duration.ofMinutes(5), true, 10, Duration.ofMinutes(10),
                            true, true, true, true), clock),
                    new PipelineRules(PipelineRulesConfig.defaults(), catalog, clock)), alerts, dispatcher);
            AuditIngest ingest = new AuditIngest(store, signer, 10_000, Duration.ofMinutes(1), clock, List.of(pipeline));
            Sources sources = new Sources(List.of(new Source(new SourceName("github-bench"), SourceKind.GITHUB,
                    new SourceSecret(SECRET), Duration.ZERO)));
            SourceCounters counters = new SourceCounters(new JdbcSourceActivityStore(data), Duration.ofSeconds(1));
            SourceMonitor monitor = new SourceMonitor(sources, counters, ingest, clock);
            AuditGrpcService service = new AuditGrpcService(ingest, store, new ChainVerification(store, signer.publicKey()),
                    alerts, pipeline, monitor, true);
            try (LoopbackMtls mtls = new LoopbackMtls(List.of(service));
                    HttpsSourceListener listener = new HttpsSourceListener("127.0.0.1", 0, mtls.serverTls().serverAuthContext(),
                            new SourceIntake(sources, ingest, counters, catalog, Duration.ofMinutes(5), clock),
                            new HttpsSourceListener.Limits(1 << 20, Duration.ofSeconds(30), 256, SENDERS))) {
                listener.start();
                HttpClient https = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .sslContext(PemFiles.trustingOnly(mtls.caFile())).executor(Executors.newFixedThreadPool(SENDERS)).build();
                URI target = URI.create("https://localhost:" + listener.port() + "/sources/github-bench");
                AuditServiceGrpc.AuditServiceBlockingStub audit = AuditServiceGrpc.newBlockingStub(mtls.channel());
                AtomicInteger sequence = new AtomicInteger();
                IntConsumer delivery = n -> deliver(https, target, n);
                IntConsumer append = n -> audit.withDeadlineAfter(60, TimeUnit.SECONDS).append(AppendRequest.newBuilder()
                        .addEvents(AuditEvents.toProto(event(n))).build());
                // warm both paths, then alternate measured rounds
                concurrently(500, sequence, delivery);
                concurrently(500, sequence, append);
                double deliverySeconds = 0;
                double appendSeconds = 0;
                for (int round = 0; round < ROUNDS; round++) {
                    deliverySeconds += concurrently(PER_ROUND, sequence, delivery);
                    appendSeconds += concurrently(PER_ROUND, sequence, append);
                }
                double deliveries = PER_ROUND * ROUNDS / deliverySeconds;
                double appends = PER_ROUND * ROUNDS / appendSeconds;
                long stored = store.headSequence();
                Map<String, Figure> figures = new LinkedHashMap<>();
                figures.put("deliveries_per_s", new Figure(Math.round(deliveries), "1/s",
                        "signed GitHub push deliveries over HTTPS into the chain on PostgreSQL, " + SENDERS + " senders"));
                figures.put("append_events_per_s", new Figure(Math.round(appends), "1/s",
                        "the suite's own Append over mTLS, one event per call, " + SENDERS + " callers"));
                figures.put("delivery_to_append_ratio", new Figure(Math.round(deliveries / appends * 1000) / 1000.0, "x",
                        "deliveries_per_s / append_events_per_s"));
                figures.put("events_stored", new Figure(stored, "", "events in the chain after the run"));
                return figures;
            }
        } finally {
            try (Connection connection = DriverManager.getConnection(url, user, password);
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
            try (var files = Files.list(dir)) {
                files.forEach(file -> file.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Runs {@code count} calls on {@value #SENDERS} threads; returns the seconds taken. */
    private static double concurrently(int count, AtomicInteger sequence, IntConsumer call) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(SENDERS);
        AtomicInteger left = new AtomicInteger(count);
        long start = System.nanoTime();
        try {
            List<Future<?>> senders = new java.util.ArrayList<>();
            for (int t = 0; t < SENDERS; t++) {
                senders.add(threads.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        call.accept(sequence.incrementAndGet());
                    }
                }));
            }
            for (Future<?> sender : senders) {
                sender.get(10, TimeUnit.MINUTES);
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            threads.shutdownNow();
        }
    }

    private static void deliver(HttpClient https, URI target, int n) {
        String sha = String.format("%040x", n);
        byte[] body = ("{\"ref\": \"refs/heads/main\", \"before\": \"" + "0".repeat(40) + "\", \"after\": \"" + sha
                + "\", \"forced\": false, \"created\": false, \"deleted\": false, \"commits\": [{\"id\": \"" + sha
                + "\", \"message\": \"change " + n + "\", \"author\": {\"name\": \"dev" + (n % 50) + "\"}}],"
                + " \"repository\": {\"full_name\": \"acme/repo-" + (n % 20) + "\", \"clone_url\":"
                + " \"https://github.com/acme/repo-" + (n % 20) + ".git\", \"default_branch\": \"main\"},"
                + " \"pusher\": {\"name\": \"dev" + (n % 50) + "\"}, \"sender\": {\"login\": \"dev" + (n % 50) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", signature(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            HttpResponse<Void> response = https.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 202) {
                throw new IllegalStateException("delivery answered " + response.statusCode());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String signature(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AuditEvent event(int n) {
        return AuditEvent.builder("gateway", AuditAction.RUN_SUBMITTED, Instant.now())
                .actor("spiffe://bench.example/ci/github/acme/repo-" + (n % 20))
                .resource(new AuditResource("run", "run-" + n, "repo-" + (n % 20), "run-" + n))
                .attributes(Map.of("command", "plan", "repo", "repo-" + (n % 20), "commit_sha", String.format("%040x", n)))
                .build();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
