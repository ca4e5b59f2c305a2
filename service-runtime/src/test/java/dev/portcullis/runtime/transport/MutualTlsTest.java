package dev.portcullis.runtime.transport;

import static dev.portcullis.runtime.testing.TestPki.id;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.EvaluateResponse;
import dev.portcullis.v1.PolicyServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mTLS matrix against a running server: who gets in, who is refused, and how. */
class MutualTlsTest {
    @TempDir
    Path dir;

    private TestPki pki;
    private TestPki.Credential gateway;
    private ServiceServer server;
    private final dev.portcullis.runtime.testing.RecordingAuditRecorder audit = new dev.portcullis.runtime.testing.RecordingAuditRecorder();
    private TlsMaterial serverTls;
    private final AtomicInteger evaluations = new AtomicInteger();

    @BeforeEach
    void startServer() {
        pki = TestPki.create(dir);
        TestPki.Credential serverCredential = pki.issue("policy", id("service/policy"));
        gateway = pki.issue("gateway", id("service/gateway"));
        serverTls = TlsMaterial.load(pki.tlsConfig(serverCredential, Duration.ofMillis(100)));
        RoleMapping roles = new RoleMapping(Map.of(
                Role.GATEWAY, List.of(new IdentityPattern("spiffe://test.example/service/gateway")),
                Role.CI, List.of(new IdentityPattern("spiffe://test.example/ci/**"))));
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
    void identityHoldingTheRequiredRoleReachesTheService() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> evaluate(gateway));

        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        assertEquals(1, evaluations.get());
    }

    @Test
    void identityWithNoRoleIsPermissionDeniedWithReason() {
        TestPki.Credential nobody = pki.issue("nobody", id("human/nobody"));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> evaluate(nobody));

        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        ErrorInfo info = errorInfo(e);
        assertEquals("ROLE_REQUIRED", info.getReason());
        assertEquals("portcullis", info.getDomain());
        assertEquals("gateway", info.getMetadataOrThrow("required_roles"));
        assertEquals("spiffe://test.example/human/nobody", info.getMetadataOrThrow("identity"));
        assertEquals(0, evaluations.get());
    }

    @Test
    void aRefusedCallIsAuditedAsAuthFailed() {
        TestPki.Credential nobody = pki.issue("nobody", id("human/nobody"));

        assertThrows(StatusRuntimeException.class, () -> evaluate(nobody));

        var event = audit.events().get(0);
        assertEquals(dev.portcullis.runtime.audit.AuditAction.AUTH_FAILED, event.action());
        assertEquals("spiffe://test.example/human/nobody", event.actor());
        assertEquals("ROLE_REQUIRED", event.reason());
        assertEquals("portcullis.v1.PolicyService/Evaluate", event.resource().id());
        assertEquals("policy", event.service());
        assertTrue(event.sourceAddress().startsWith("127.0.0.1:"), event.sourceAddress());
    }

    @Test
    void anAdmittedCallRecordsNoAuthFailure() {
        assertThrows(StatusRuntimeException.class, () -> evaluate(gateway));

        assertEquals(List.of(), audit.events());
    }

    @Test
    void ciIdentityMayNotCallThePolicyService() {
        TestPki.Credential ci = pki.issue("ci", id("ci/github/acme/infra-live"));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> evaluate(ci));

        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        assertEquals(0, evaluations.get());
    }

    @Test
    void healthAnswersAnyAuthenticatedCaller() {
        TestPki.Credential nobody = pki.issue("nobody", id("human/nobody"));

        ServingStatus status = call(TestChannels.mtls(server.port(), nobody), channel -> HealthGrpc
                .newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService("portcullis.v1.PolicyService").build())
                .getStatus());

        assertEquals(ServingStatus.SERVING, status);
    }

    @Test
    void connectionWithoutClientCertificateIsRefusedAtHandshake() {
        assertRefusedByTls(TestChannels.tlsWithoutClientCertificate(server.port(), pki.caFile()));
    }

    @Test
    void certificateFromAnotherCaIsRefusedAtHandshake() throws Exception {
        Path otherDir = Files.createDirectory(dir.resolve("other"));
        TestPki other = TestPki.create(otherDir);
        TestPki.Credential impostor = other.issue("gateway", id("service/gateway"));
        // the impostor trusts our server, so only its own certificate can be the problem
        Files.copy(pki.caFile(), impostor.caFile(), StandardCopyOption.REPLACE_EXISTING);

        assertRefusedByTls(TestChannels.mtls(server.port(), impostor));
    }

    @Test
    void expiredCertificateIsRefusedAtHandshake() {
        Instant now = Instant.now();
        TestPki.Credential expired = pki.issue("expired", id("service/gateway"),
                new Validity(now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1))));

        assertRefusedByTls(TestChannels.mtls(server.port(), expired));
    }

    @Test
    void notYetValidCertificateIsRefusedAtHandshake() {
        Instant now = Instant.now();
        TestPki.Credential early = pki.issue("early", id("service/gateway"),
                new Validity(now.plus(Duration.ofHours(1)), now.plus(Duration.ofHours(2))));

        assertRefusedByTls(TestChannels.mtls(server.port(), early));
    }

    @Test
    void bytesThatAreNotTheRequestMessageAreRefusedAsMalformedAndAudited() {
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(PolicyServiceGrpc.getEvaluateMethod().getFullMethodName())
                .setRequestMarshaller(RawBytes.INSTANCE)
                .setResponseMarshaller(RawBytes.INSTANCE)
                .build();
        byte[] truncated = {0x0a, 0x7f, 0x61};

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(TestChannels.mtls(server.port(), gateway),
                channel -> ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                        truncated)));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("REQUEST_MALFORMED", errorInfo(e).getReason());
        assertEquals(0, evaluations.get());
        var event = audit.events().get(0);
        assertEquals(dev.portcullis.runtime.audit.AuditAction.REQUEST_INVALID, event.action());
        assertEquals("spiffe://test.example/service/gateway", event.actor());
        assertEquals("Evaluate", event.attributes().get("method"));
    }

    @Test
    void messageOverTheSizeLimitIsRefusedByTheTransportAndAudited() throws InterruptedException {
        EvaluateRequest huge = EvaluateRequest.newBuilder().setFolder("a".repeat(5 << 20)).build();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(TestChannels.mtls(server.port(), gateway),
                channel -> PolicyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).evaluate(huge)));

        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
        assertEquals(0, evaluations.get());
        // the transport reports the closed stream on its own thread, maybe after the client heard
        await("the transport's audit record").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> !audit.events().isEmpty());
        var event = audit.events().get(0);
        assertEquals(dev.portcullis.runtime.audit.AuditAction.REQUEST_INVALID, event.action());
        assertEquals("REQUEST_TOO_LARGE", event.reason());
        assertEquals("spiffe://test.example/service/gateway", event.actor());
        assertEquals(1, audit.events().size());
    }

    /** Bytes as they are, so a test can send what no encoder writes. */
    private enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(java.io.InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void plaintextConnectionIsRefused() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> call(TestChannels.plaintext(server.port()), this::evaluateOn));

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals(0, evaluations.get());
    }

    @Test
    void certificateRotatedOnDiskIsUsedByTheNextHandshake() throws Exception {
        AtomicReference<X509Certificate> seen = new AtomicReference<>();
        call(TestChannels.mtlsRecordingServer(server.port(), gateway, seen), this::health);
        X509Certificate before = seen.get();

        TestPki.Credential rotated = pki.issue("policy", id("service/policy"));
        X509Certificate after = awaitServerCertificate(rotated.issued().certificate(), gateway, seen);

        assertNotEquals(before.getSerialNumber(), after.getSerialNumber());
        assertEquals(rotated.issued().certificate().getSerialNumber(), after.getSerialNumber());
    }

    @Test
    void liveCallsSurviveACertificateRotation() throws Exception {
        ManagedChannel channel = TestChannels.mtls(server.port(), gateway);
        try {
            health(channel);
            TestPki.Credential rotated = pki.issue("policy", id("service/policy"));
            awaitServerCertificate(rotated.issued().certificate(), gateway, new AtomicReference<>());

            assertEquals(ServingStatus.SERVING, health(channel));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private X509Certificate awaitServerCertificate(
            X509Certificate expected, TestPki.Credential client, AtomicReference<X509Certificate> seen) {
        await("the server presenting its new certificate").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> {
                    call(TestChannels.mtlsRecordingServer(server.port(), client, seen), this::health);
                    assertTrue(seen.get() != null && seen.get().getSerialNumber().equals(expected.getSerialNumber()),
                            "the server kept presenting its old certificate");
                });
        return seen.get();
    }

    private void assertRefusedByTls(ManagedChannel channel) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(channel, this::evaluateOn));

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertTrue(causedBy(e, SSLException.class), () -> "expected a TLS failure, got " + e);
        assertEquals(0, evaluations.get());
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private EvaluateResponse evaluate(TestPki.Credential credential) {
        return call(TestChannels.mtls(server.port(), credential), this::evaluateOn);
    }

    private EvaluateResponse evaluateOn(ManagedChannel channel) {
        return PolicyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .evaluate(EvaluateRequest.getDefaultInstance());
    }

    private ServingStatus health(ManagedChannel channel) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }

    private static <T> T call(ManagedChannel channel, Function<ManagedChannel, T> body) {
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
                    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                        throw new AssertionError(ex);
                    }
                })
                .findFirst().orElseThrow(() -> new AssertionError("no ErrorInfo in " + status));
    }
}
