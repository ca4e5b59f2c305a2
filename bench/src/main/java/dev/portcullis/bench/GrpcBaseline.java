package dev.portcullis.bench;

import dev.portcullis.bench.Bench.Figure;
import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.pki.CertificateAuthority;
import dev.portcullis.runtime.pki.CertificateRequest;
import dev.portcullis.runtime.pki.IssuedCertificate;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceChannels;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsConfig;
import dev.portcullis.runtime.transport.TlsMaterial;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A no-op unary call (grpc.health.v1 Check) over the mTLS channel and server set-up every
 * service uses (TLS 1.3, client certificate, SPIFFE identity, role check), next to the same
 * call over a plaintext loopback channel to a bare server: the baseline that shows what the
 * security layer costs. Sequential calls give latency percentiles; 16 concurrent callers give
 * throughput. Rounds alternate between the two set-ups so drift hits both alike.
 */
final class GrpcBaseline {
    private static final int WARMUP_CALLS = 5_000;
    private static final int ROUNDS = 3;
    private static final int LATENCY_CALLS_PER_ROUND = 5_000;
    private static final int CALLERS = 16;
    private static final int THROUGHPUT_CALLS_PER_CALLER = 1_500;
    private static final Duration THROUGHPUT_BOUND = Duration.ofSeconds(30);

    Map<String, Figure> run() throws Exception {
        Path dir = Files.createTempDirectory("portcullis-bench");
        try (Setup mtls = mtls(dir); Setup plaintext = plaintext()) {
            warm(mtls);
            warm(plaintext);
            List<Long> mtlsNanos = new ArrayList<>();
            List<Long> plainNanos = new ArrayList<>();
            double mtlsRate = 0;
            double plainRate = 0;
            for (int round = 0; round < ROUNDS; round++) {
                plainNanos.addAll(latencies(plaintext));
                mtlsNanos.addAll(latencies(mtls));
                plainRate += throughput(plaintext) / ROUNDS;
                mtlsRate += throughput(mtls) / ROUNDS;
            }
            double mtlsP50 = percentile(mtlsNanos, 50) / 1000.0;
            double mtlsP99 = percentile(mtlsNanos, 99) / 1000.0;
            double plainP50 = percentile(plainNanos, 50) / 1000.0;
            double plainP99 = percentile(plainNanos, 99) / 1000.0;
            Map<String, Figure> figures = new LinkedHashMap<>();
            figures.put("mtls_p50_us", new Figure(round(mtlsP50), "us", "no-op unary call over the services' mTLS set-up, median"));
            figures.put("mtls_p99_us", new Figure(round(mtlsP99), "us", "same, 99th percentile"));
            figures.put("mtls_calls_per_s", new Figure(Math.round(mtlsRate), "calls/s", CALLERS + " concurrent callers over mTLS"));
            figures.put("baseline_p50_us", new Figure(round(plainP50), "us", "baseline: plaintext loopback, bare server, median"));
            figures.put("baseline_p99_us", new Figure(round(plainP99), "us", "baseline: 99th percentile"));
            figures.put("baseline_calls_per_s", new Figure(Math.round(plainRate), "calls/s", "baseline: " + CALLERS + " concurrent callers"));
            figures.put("mtls_p50_ratio", new Figure(round(mtlsP50 / plainP50), "x", "mTLS median / baseline median"));
            figures.put("mtls_throughput_ratio", new Figure(round(mtlsRate / plainRate), "x", "mTLS calls/s / baseline calls/s"));
            figures.put("samples_per_setup", new Figure(mtlsNanos.size(), "calls", "sequential calls measured per set-up"));
            return figures;
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(file -> file.toFile().delete());
            }
            Files.deleteIfExists(dir);
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

    private static Setup mtls(Path dir) {
        CertificateAuthority ca = CertificateAuthority.create("bench CA", Validity.startingNow(Clock.systemUTC(), Duration.ofHours(2)));
        PemFiles.writeCertificate(dir.resolve("ca.pem"), ca.certificate());
        TlsConfig serverTls = write(dir, "server", ca, "spiffe://bench.example/service/policy");
        TlsConfig clientTls = write(dir, "client", ca, "spiffe://bench.example/service/gateway");
        TlsMaterial serverMaterial = TlsMaterial.load(serverTls);
        TlsMaterial clientMaterial = TlsMaterial.load(clientTls);
        RoleMapping roles = new RoleMapping(Map.of(Role.GATEWAY, List.of(new IdentityPattern("spiffe://bench.example/service/gateway"))));
        ServiceServer server = new ServiceServer("bench", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(10), Duration.ZERO),
                serverMaterial, roles, List.of());
        server.start();
        ManagedChannel channel = new ServiceChannels(clientMaterial).open("localhost:" + server.port());
        return new Setup(channel, () -> {
            server.close();
            serverMaterial.close();
            clientMaterial.close();
        });
    }

    private static TlsConfig write(Path dir, String name, CertificateAuthority ca, String id) {
        IssuedCertificate issued = ca.issue(new CertificateRequest(name, new SpiffeId(id), List.of("localhost"),
                List.of("127.0.0.1"), Validity.startingNow(Clock.systemUTC(), Duration.ofHours(1))));
        PemFiles.writePrivateKey(dir.resolve(name + ".key"), issued.privateKey());
        PemFiles.writeCertificate(dir.resolve(name + ".pem"), issued.certificate());
        return new TlsConfig(dir.resolve(name + ".pem"), dir.resolve(name + ".key"), dir.resolve("ca.pem"), Duration.ofMinutes(5));
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

    private static List<Long> latencies(Setup setup) {
        HealthGrpc.HealthBlockingStub stub = HealthGrpc.newBlockingStub(setup.channel());
        List<Long> nanos = new ArrayList<>(LATENCY_CALLS_PER_ROUND);
        for (int i = 0; i < LATENCY_CALLS_PER_ROUND; i++) {
            long start = System.nanoTime();
            call(stub);
            nanos.add(System.nanoTime() - start);
        }
        return nanos;
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

    private static long percentile(List<Long> samples, int percent) {
        long[] sorted = samples.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
