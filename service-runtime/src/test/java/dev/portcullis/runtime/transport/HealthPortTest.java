package dev.portcullis.runtime.transport;

import static dev.portcullis.runtime.testing.TestPki.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.PolicyServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The opt-in plaintext health port: Kubernetes' native gRPC probe can reach it, and it serves
 * Health/Check and nothing else.
 */
class HealthPortTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private ServiceServer server;
    private TlsMaterial tls;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
        if (tls != null) {
            tls.close();
        }
    }

    @Test
    void plaintextHealthPortAnswersCheckForTheServerAndEachService() {
        start(0);
        channel = TestChannels.plaintext(server.healthPort().getAsInt());

        HealthCheckResponse whole = check("");
        HealthCheckResponse policy = check(PolicyServiceGrpc.SERVICE_NAME);

        assertEquals(ServingStatus.SERVING, whole.getStatus());
        assertEquals(ServingStatus.SERVING, policy.getStatus());
    }

    @Test
    void plaintextHealthPortReportsNotServingWhenTheServiceSaysSo() {
        start(0);
        channel = TestChannels.plaintext(server.healthPort().getAsInt());

        server.setServing(false);

        assertEquals(ServingStatus.NOT_SERVING, check("").getStatus());
    }

    @Test
    void livenessStaysServingWhileTheServiceIsNotReady() {
        start(0);
        channel = TestChannels.plaintext(server.healthPort().getAsInt());

        server.setServing(false);

        assertEquals(ServingStatus.SERVING, check(ServiceServer.LIVENESS).getStatus());
        assertEquals(ServingStatus.NOT_SERVING, check(PolicyServiceGrpc.SERVICE_NAME).getStatus());
    }

    @Test
    void plaintextHealthPortDoesNotServeTheServiceItself() {
        start(0);
        channel = TestChannels.plaintext(server.healthPort().getAsInt());

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> PolicyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                        .evaluate(EvaluateRequest.getDefaultInstance()));

        assertEquals(Status.Code.UNIMPLEMENTED, refused.getStatus().getCode());
    }

    @Test
    void plaintextHealthPortDoesNotServeReflection() throws InterruptedException {
        start(0);
        channel = TestChannels.plaintext(server.healthPort().getAsInt());
        CompletableFuture<Status> ended = new CompletableFuture<>();

        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        ended.complete(Status.OK);
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(Status.OK);
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());

        assertEquals(Status.Code.UNIMPLEMENTED, awaitStatus(ended).getCode());
    }

    @Test
    void plaintextHealthPortRefusesWatchSoNoStreamStaysOpen() {
        start(0);
        channel = TestChannels.plaintext(server.healthPort().getAsInt());

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> {
            Iterator<HealthCheckResponse> watch = HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .watch(HealthCheckRequest.getDefaultInstance());
            watch.next();
        });

        assertEquals(Status.Code.UNIMPLEMENTED, refused.getStatus().getCode());
    }

    @Test
    void serviceWithoutHealthPortHasNone() {
        start(ServerConfig.NO_HEALTH_PORT);

        assertTrue(server.healthPort().isEmpty());
    }

    @Test
    void theServicePortStaysMutualTlsOnlyWhenAHealthPortIsOpen() {
        start(0);
        channel = TestChannels.plaintext(server.port());

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> check(""));

        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
    }

    private void start(int healthPort) {
        TestPki pki = TestPki.create(dir);
        tls = TlsMaterial.load(pki.tlsConfig(pki.issue("policy", id("service/policy")), Duration.ofMinutes(1)));
        RoleMapping roles = new RoleMapping(Map.of(
                Role.GATEWAY, List.of(new IdentityPattern("spiffe://test.example/service/gateway"))));
        ServerConfig config = new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(5), Duration.ZERO, healthPort);
        server = new ServiceServer("policy", config, tls, roles,
                List.of(new PolicyServiceGrpc.PolicyServiceImplBase() {}), new RecordingAuditRecorder(), Clock.systemUTC());
        server.start();
    }

    private HealthCheckResponse check(String service) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build());
    }

    private static Status awaitStatus(CompletableFuture<Status> ended) throws InterruptedException {
        try {
            return ended.get(DEADLINE.toSeconds() + 5, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the reflection call did not end", e);
        }
    }
}
