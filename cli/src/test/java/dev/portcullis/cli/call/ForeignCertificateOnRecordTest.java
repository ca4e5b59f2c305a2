package dev.portcullis.cli.call;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI presents its certificate even to a server whose CertificateRequest does not list the
 * certificate's issuer (the JDK's own key manager would withhold it), so a server that refuses it
 * records whose certificate it was; over real TLS on loopback.
 */
class ForeignCertificateOnRecordTest {
    @TempDir
    Path dir;

    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private TestPki pki;
    private TlsMaterial serverTls;
    private ServiceServer server;

    @BeforeEach
    void startServer() {
        pki = TestPki.create(dir);
        serverTls = TlsMaterial.load(pki.tlsConfig(pki.issue("gateway", TestPki.id("service/gateway")), Duration.ofMinutes(1)));
        server = new ServiceServer("gateway", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(5), Duration.ZERO),
                serverTls, new RoleMapping(Map.of()), List.of(), audit, Clock.systemUTC());
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
        serverTls.close();
    }

    @Test
    void aCertificateFromAnotherCaIsSentAndRefusedWithItsNamesOnRecord() throws Exception {
        TestPki elsewhere = TestPki.create(Files.createDirectory(dir.resolve("elsewhere")), "Elsewhere CA");
        TestPki.Credential foreign = elsewhere.issue("ci", TestIdentity.CI.id());
        ClientTls tls = ClientTls.load(pki.caFile(), foreign.certFile(), foreign.keyFile(), Clock.systemUTC());

        assertThrows(StatusRuntimeException.class, () -> health(tls));

        await("the server's record of the refused handshake").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> !audit.events().isEmpty());
        List<AuditEvent> events = audit.events();
        assertEquals(1, events.size(), events::toString);
        AuditEvent event = events.get(0);
        assertEquals(AuditAction.AUTH_FAILED, event.action());
        assertEquals("CERTIFICATE_REJECTED", event.reason());
        assertTrue(event.attributes().get("unverified_names").contains("uri:" + TestIdentity.CI.id().value()),
                event.attributes().toString());
        assertEquals(foreign.issued().certificate().getIssuerX500Principal().getName(), event.attributes().get("unverified_issuer"));
        assertTrue(event.sourceAddress().matches("127\\.0\\.0\\.1:\\d+"), event.sourceAddress());
    }

    private void health(ClientTls tls) throws InterruptedException {
        ManagedChannel channel = tls.channel(Endpoint.of("gateway", "localhost:" + server.port()));
        try {
            HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
