package dev.portcullis.runtime.transport;

import static dev.portcullis.runtime.testing.TestPki.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.EvaluateResponse;
import dev.portcullis.v1.PolicyServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A certificate our CA issued, valid in every TLS sense, but without a URI SAN: the handshake
 * succeeds, and the access check then refuses every call because there is no identity.
 */
class CertificateWithoutSpiffeIdTest {
    @TempDir
    Path dir;

    private TestPki pki;
    private ServiceServer server;
    private final dev.portcullis.runtime.testing.RecordingAuditRecorder audit = new dev.portcullis.runtime.testing.RecordingAuditRecorder();
    private TlsMaterial serverTls;
    private final AtomicInteger evaluations = new AtomicInteger();

    @BeforeEach
    void startServer() {
        pki = TestPki.create(dir);
        TestPki.Credential serverCredential = pki.issue("policy", id("service/policy"));
        serverTls = TlsMaterial.load(pki.tlsConfig(serverCredential, Duration.ofSeconds(10)));
        // the mapping grants a role to every identity of the trust domain: only a missing identity can be refused
        RoleMapping roles = new RoleMapping(Map.of(
                Role.GATEWAY, List.of(new IdentityPattern("spiffe://test.example/**"))));
        server = new ServiceServer("policy", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(5), Duration.ZERO),
                serverTls, roles, List.of(new PolicyServiceGrpc.PolicyServiceImplBase() {
                    @Override
                    public void evaluate(EvaluateRequest request, StreamObserver<EvaluateResponse> response) {
                        evaluations.incrementAndGet();
                        super.evaluate(request, response);
                    }
                }), audit, java.time.Clock.systemUTC());
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
        serverTls.close();
    }

    @Test
    void callerWithoutUriSanIsUnauthenticatedWithIdentityInvalid() {
        TestPki.Credential anonymous = pki.issueWithoutUriSan("anonymous");

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> call(anonymous, channel -> PolicyServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).evaluate(EvaluateRequest.getDefaultInstance())));

        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        ErrorInfo info = errorInfo(e);
        assertEquals("IDENTITY_INVALID", info.getReason());
        assertEquals("portcullis", info.getDomain());
        assertEquals("the certificate has no URI SAN", info.getMetadataOrThrow("problem"));
        assertEquals(0, evaluations.get());
    }

    @Test
    void refusalOfACertificateWithoutIdentityRecordsWhatItClaimedAsUnverified() {
        TestPki.Credential anonymous = pki.issueWithoutUriSan("anonymous");

        assertThrows(StatusRuntimeException.class, () -> call(anonymous, channel -> PolicyServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS).evaluate(EvaluateRequest.getDefaultInstance())));

        var event = audit.events().get(0);
        assertEquals("IDENTITY_INVALID", event.reason());
        assertEquals("", event.actor());
        assertEquals("dns:localhost", event.attributes().get("unverified_names"));
    }

    @Test
    void callerWithoutUriSanMayNotEvenCheckHealth() {
        TestPki.Credential anonymous = pki.issueWithoutUriSan("anonymous");

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> call(anonymous, channel -> HealthGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance())));

        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertEquals("IDENTITY_INVALID", errorInfo(e).getReason());
    }

    private <T> T call(TestPki.Credential credential, Function<ManagedChannel, T> body) {
        ManagedChannel channel = TestChannels.mtls(server.port(), credential);
        try {
            return body.apply(channel);
        } finally {
            channel.shutdownNow();
        }
    }

    private static ErrorInfo errorInfo(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        return status.getDetailsList().stream()
                .filter(any -> any.is(ErrorInfo.class))
                .map(any -> {
                    try {
                        return any.unpack(ErrorInfo.class);
                    } catch (InvalidProtocolBufferException ex) {
                        throw new AssertionError(ex);
                    }
                })
                .findFirst().orElseThrow(() -> new AssertionError("no ErrorInfo in " + status));
    }
}
