package dev.portcullis.bench;

import dev.portcullis.bench.Bench.Figure;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A no-op unary call (grpc.health.v1 Check) over the mTLS channel and server set-up every
 * service uses (TLS 1.3, client certificate, SPIFFE identity, role check), over the gateway's
 * bearer-token set-up (TLS without a client certificate, an OIDC identity token verified on
 * every call by the gateway's verifier against keys fetched from the dev issuer), and over a
 * plaintext loopback channel to a bare server: the baseline that shows what the security layer
 * costs. Sequential calls give latency percentiles; 16 concurrent callers give throughput.
 * Rounds alternate between the set-ups so drift hits all alike.
 */
final class GrpcBaseline {
    private static final int WARMUP_CALLS = 5_000;
    private static final int ROUNDS = 3;
    private static final int LATENCY_CALLS_PER_ROUND = 5_000;
    private static final int CALLERS = 16;
    private static final int THROUGHPUT_CALLS_PER_CALLER = 1_500;
    private static final Duration THROUGHPUT_BOUND = Duration.ofSeconds(30);

    Map<String, Figure> run() throws Exception {
        try (Setup mtls = mtls(); Setup bearer = bearer(); Setup plaintext = plaintext()) {
            warm(mtls);
            warm(bearer);
            warm(plaintext);
            Latencies mtlsLatencies = new Latencies();
            Latencies bearerLatencies = new Latencies();
            Latencies plainLatencies = new Latencies();
            double mtlsRate = 0;
            double bearerRate = 0;
            double plainRate = 0;
            for (int round = 0; round < ROUNDS; round++) {
                plainLatencies.measure(LATENCY_CALLS_PER_ROUND, caller(plaintext));
                mtlsLatencies.measure(LATENCY_CALLS_PER_ROUND, caller(mtls));
                bearerLatencies.measure(LATENCY_CALLS_PER_ROUND, caller(bearer));
                plainRate += throughput(plaintext) / ROUNDS;
                mtlsRate += throughput(mtls) / ROUNDS;
                bearerRate += throughput(bearer) / ROUNDS;
            }
            double bearerP50 = bearerLatencies.percentileMicros(50);
            double mtlsP50 = mtlsLatencies.percentileMicros(50);
            double mtlsP99 = mtlsLatencies.percentileMicros(99);
            double plainP50 = plainLatencies.percentileMicros(50);
            double plainP99 = plainLatencies.percentileMicros(99);
            Map<String, Figure> figures = new LinkedHashMap<>();
            figures.put("mtls_p50_us", new Figure(round(mtlsP50), "us", "no-op unary call over the services' mTLS set-up, median"));
            figures.put("mtls_p99_us", new Figure(round(mtlsP99), "us", "same, 99th percentile"));
            figures.put("mtls_calls_per_s", new Figure(Math.round(mtlsRate), "calls/s", CALLERS + " concurrent callers over mTLS"));
            figures.put("bearer_p50_us", new Figure(round(bearerP50), "us",
                    "no-op unary call authenticated by an OIDC identity token (RS256 JWT verified per call), no client certificate, median"));
            figures.put("bearer_p99_us", new Figure(round(bearerLatencies.percentileMicros(99)), "us", "same, 99th percentile"));
            figures.put("bearer_calls_per_s", new Figure(Math.round(bearerRate), "calls/s",
                    CALLERS + " concurrent callers with an identity token"));
            figures.put("baseline_p50_us", new Figure(round(plainP50), "us", "baseline: plaintext loopback, bare server, median"));
            figures.put("baseline_p99_us", new Figure(round(plainP99), "us", "baseline: 99th percentile"));
            figures.put("baseline_calls_per_s", new Figure(Math.round(plainRate), "calls/s", "baseline: " + CALLERS + " concurrent callers"));
            figures.put("mtls_p50_ratio", new Figure(round(mtlsP50 / plainP50), "x", "mTLS median / baseline median"));
            figures.put("mtls_throughput_ratio", new Figure(round(mtlsRate / plainRate), "x", "mTLS calls/s / baseline calls/s"));
            figures.put("bearer_p50_ratio", new Figure(round(bearerP50 / plainP50), "x", "bearer-token median / baseline median"));
            figures.put("bearer_to_mtls_p50_ratio", new Figure(round(bearerP50 / mtlsP50), "x", "bearer-token median / mTLS median"));
            figures.put("bearer_throughput_ratio", new Figure(round(bearerRate / plainRate), "x",
                    "bearer-token calls/s / baseline calls/s"));
            figures.put("samples_per_setup", new Figure(mtlsLatencies.size(), "calls", "sequential calls measured per set-up"));
            return figures;
        }
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /** A server and a channel to it. */
    private record Setup(ManagedChannel channel, AutoCloseable resources) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            resources.close();
        }
    }

    private static Setup mtls() throws IOException {
        LoopbackMtls mtls = new LoopbackMtls(List.of());
        return new Setup(mtls.channel(), mtls);
    }

    private static Setup bearer() throws IOException {
        LoopbackBearer bearer = new LoopbackBearer();
        return new Setup(bearer.channel(), bearer);
    }

    private static Setup plaintext() throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(health.getHealthService())
                .build();
        // Grpc.newServerBuilderForPort binds every interface; we only ever dial loopback
        server.start();
        int port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
        ManagedChannel channel = Grpc.newChannelBuilder("localhost:" + port, InsecureChannelCredentials.create()).build();
        return new Setup(channel, () -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    }

    private static void warm(Setup setup) {
        HealthGrpc.HealthBlockingStub stub = HealthGrpc.newBlockingStub(setup.channel());
        for (int i = 0; i < WARMUP_CALLS; i++) {
            call(stub);
        }
    }

    private static Runnable caller(Setup setup) {
        HealthGrpc.HealthBlockingStub stub = HealthGrpc.newBlockingStub(setup.channel());
        return () -> call(stub);
    }

    private static double throughput(Setup setup) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            long deadline = System.nanoTime() + THROUGHPUT_BOUND.toNanos();
            long start = System.nanoTime();
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                done.add(callers.submit(() -> {
                    HealthGrpc.HealthBlockingStub stub = HealthGrpc.newBlockingStub(setup.channel());
                    int calls = 0;
                    while (calls < THROUGHPUT_CALLS_PER_CALLER && System.nanoTime() < deadline) {
                        call(stub);
                        calls++;
                    }
                    return calls;
                }));
            }
            long total = 0;
            for (Future<Integer> future : done) {
                total += future.get();
            }
            return total / ((System.nanoTime() - start) / 1e9);
        } finally {
            callers.shutdownNow();
        }
    }

    private static void call(HealthGrpc.HealthBlockingStub stub) {
        stub.withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
    }
}
