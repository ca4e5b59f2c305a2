package dev.portcullis.runtime.transport;

import static dev.portcullis.runtime.testing.TestPki.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.EvaluateResponse;
import dev.portcullis.v1.PolicyServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A channel to several replicas of one service: calls go round them, and past one that is down. */
class ServiceChannelsTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<ServiceServer> replicas = new ArrayList<>();
    private final List<AtomicInteger> served = new ArrayList<>();
    private ServiceChannels channels;

    @BeforeEach
    void startTwoReplicas() {
        TestPki pki = TestPki.create(dir);
        TestPki.Credential serverCredential = pki.issue("policy", id("service/policy"));
        RoleMapping roles = new RoleMapping(Map.of(Role.GATEWAY,
                List.of(new IdentityPattern("spiffe://test.example/service/gateway"))));
        for (int i = 0; i < 2; i++) {
            TlsMaterial tls = TlsMaterial.load(pki.tlsConfig(serverCredential, Duration.ofMinutes(1)));
            AtomicInteger count = new AtomicInteger();
            ServiceServer server = new ServiceServer("policy", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(5),
                    Duration.ZERO), tls, roles, List.of(new PolicyServiceGrpc.PolicyServiceImplBase() {
                        @Override
                        public void evaluate(EvaluateRequest request, StreamObserver<EvaluateResponse> response) {
                            count.incrementAndGet();
                            response.onNext(EvaluateResponse.getDefaultInstance());
                            response.onCompleted();
                        }
                    }), new RecordingAuditRecorder(), Clock.systemUTC());
            server.start();
            closing.add(tls);
            closing.add(server);
            replicas.add(server);
            served.add(count);
        }
        TlsMaterial clientTls = TlsMaterial.load(pki.tlsConfig(pki.issue("gateway", id("service/gateway")), Duration.ofMinutes(1)));
        closing.add(clientTls);
        channels = new ServiceChannels(clientTls);
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void callsOverAnAddressListReachEveryReplica() {
        ManagedChannel channel = open("localhost:" + replicas.get(0).port() + ", localhost:" + replicas.get(1).port());

        for (int i = 0; i < 40; i++) {
            evaluate(channel);
        }

        assertEquals(40, served.get(0).get() + served.get(1).get());
        assertTrue(served.get(0).get() >= 10 && served.get(1).get() >= 10, "round robin over both: " + served);
    }

    @Test
    void callsGoOnThroughTheOtherReplicaWhenOneIsDown() {
        ManagedChannel channel = open("localhost:" + replicas.get(0).port() + ",localhost:" + replicas.get(1).port());
        evaluate(channel);
        replicas.get(0).close();
        int before = served.get(1).get();

        // the channel learns of the closed connection asynchronously: calls in that moment may fail
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int inARow = 0;
        while (inARow < 20 && System.nanoTime() < deadline) {
            try {
                evaluate(channel);
                inARow++;
            } catch (StatusRuntimeException beforeTheChannelNoticed) {
                inARow = 0;
            }
        }

        assertEquals(20, inARow, "20 calls in a row served by the replica still up");
        assertTrue(served.get(1).get() - before >= 20, "served by the second replica: " + served);
    }

    @Test
    void aSingleAddressIsAPlainTarget() {
        ManagedChannel channel = open("localhost:" + replicas.get(1).port());

        evaluate(channel);

        assertEquals("localhost:" + replicas.get(1).port(), channel.authority());
        assertEquals(1, served.get(1).get());
    }

    private ManagedChannel open(String target) {
        ManagedChannel channel = channels.open(target);
        closing.add(channel::shutdownNow);
        return channel;
    }

    private static void evaluate(ManagedChannel channel) {
        PolicyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .evaluate(EvaluateRequest.getDefaultInstance());
    }
}
