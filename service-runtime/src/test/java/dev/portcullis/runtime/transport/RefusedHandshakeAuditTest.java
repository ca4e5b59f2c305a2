package dev.portcullis.runtime.transport;

import static dev.portcullis.runtime.testing.TestPki.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.testing.HandshakeProbe;
import dev.portcullis.runtime.testing.MutableClock;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every TLS handshake the server ends is one {@code auth.failed} with the peer's address, over real
 * TLS on loopback: no certificate, another CA's, an expired one, plaintext, garbage; a flood is held
 * to the refusal budget and counted.
 */
class RefusedHandshakeAuditTest {
    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-12-07T10:00:00Z"));
    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private TestPki pki;
    private TlsMaterial serverTls;
    private ServiceServer server;

    @BeforeEach
    void startServer() {
        pki = TestPki.create(dir);
        serverTls = TlsMaterial.load(pki.tlsConfig(pki.issue("policy", id("service/policy")), Duration.ofMinutes(1)));
        RoleMapping roles = new RoleMapping(Map.of(
                Role.GATEWAY, List.of(new IdentityPattern("spiffe://test.example/service/gateway"))));
        server = new ServiceServer("policy", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(5), Duration.ZERO),
                serverTls, roles, List.of(), audit, clock);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
        serverTls.close();
    }

    @Test
    void handshakeWithoutAClientCertificateLeavesOneAuthFailedWithTheSourceAddress() {
        int local = HandshakeProbe.handshake(server.port(), pki.caFile(), Optional.empty());

        AuditEvent event = onlyEvent();
        assertEquals(AuditAction.AUTH_FAILED, event.action());
        assertEquals(AuditOutcome.DENIED, event.outcome());
        assertEquals("NO_CLIENT_CERTIFICATE", event.reason());
        assertEquals("127.0.0.1:" + local, event.sourceAddress());
        assertEquals("", event.actor());
        assertEquals("policy", event.service());
    }

    @Test
    void certificateFromAnotherCaLeavesOneAuthFailedNamingWhatItClaimedUnverified() throws Exception {
        TestPki other = TestPki.create(Files.createDirectory(dir.resolve("other")), "Elsewhere CA");
        TestPki.Credential impostor = other.issue("gateway", id("service/gateway"));

        int local = HandshakeProbe.handshake(server.port(), pki.caFile(), Optional.of(impostor));

        AuditEvent event = onlyEvent();
        assertEquals("CERTIFICATE_REJECTED", event.reason());
        assertEquals("127.0.0.1:" + local, event.sourceAddress());
        assertEquals("", event.actor());
        assertEquals("false", event.attributes().get("verified"));
        assertEquals("not issued by a trusted CA", event.attributes().get("problem"));
        assertEquals("uri:spiffe://test.example/service/gateway,dns:localhost", event.attributes().get("unverified_names"));
        assertEquals(impostor.issued().certificate().getSubjectX500Principal().getName(),
                event.attributes().get("unverified_subject"));
        assertEquals(impostor.issued().certificate().getIssuerX500Principal().getName(),
                event.attributes().get("unverified_issuer"));
        assertEquals(impostor.issued().certificate().getSerialNumber().toString(16), event.attributes().get("serial"));
        assertEquals(impostor.issued().certificate().getNotAfter().toInstant().toString(), event.attributes().get("not_after"));
    }

    @Test
    void expiredCertificateLeavesOneAuthFailedAsExpired() {
        Instant now = Instant.now();
        TestPki.Credential expired = pki.issue("expired", id("service/gateway"),
                new Validity(now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1))));

        int local = HandshakeProbe.handshake(server.port(), pki.caFile(), Optional.of(expired));

        AuditEvent event = onlyEvent();
        assertEquals("CERTIFICATE_REJECTED", event.reason());
        assertEquals("expired", event.attributes().get("problem"));
        assertEquals("127.0.0.1:" + local, event.sourceAddress());
        assertEquals("uri:spiffe://test.example/service/gateway,dns:localhost", event.attributes().get("unverified_names"));
    }

    @Test
    void plaintextHttp2LeavesOneAuthFailedAsNotTls() {
        byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        int local = HandshakeProbe.send(server.port(), preface);

        AuditEvent event = onlyEvent();
        assertEquals("NOT_TLS", event.reason());
        assertEquals("127.0.0.1:" + local, event.sourceAddress());
    }

    @Test
    void garbageBytesLeaveOneAuthFailedAsNotTls() {
        byte[] garbage = new byte[64];
        new java.util.Random(7).nextBytes(garbage);
        garbage[0] = 0x42; // no TLS record type

        int local = HandshakeProbe.send(server.port(), garbage);

        AuditEvent event = onlyEvent();
        assertEquals("NOT_TLS", event.reason());
        assertEquals("127.0.0.1:" + local, event.sourceAddress());
    }

    @Test
    void refusalsOverTheBudgetOfASecondAreLeftOutAndCountedInTheNextOneRecorded() {
        for (int i = 0; i < RefusalBudget.PER_SECOND + 5; i++) {
            HandshakeProbe.handshake(server.port(), pki.caFile(), Optional.empty());
        }
        clock.advance(Duration.ofSeconds(1));

        HandshakeProbe.handshake(server.port(), pki.caFile(), Optional.empty());

        List<AuditEvent> events = audit.events();
        assertEquals(RefusalBudget.PER_SECOND + 1, events.size());
        assertFalse(events.get(RefusalBudget.PER_SECOND - 1).attributes().containsKey("suppressed"));
        assertEquals("5", events.get(RefusalBudget.PER_SECOND).attributes().get("suppressed"));
    }

    @Test
    void callsRefusedForWantOfCredentialsShareTheBudgetOfRefusedHandshakes() throws InterruptedException {
        server.close();
        server = new ServiceServer("gateway", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(5), Duration.ZERO),
                serverTls, new RoleMapping(Map.of()), List.of(), audit, clock, Telemetry.disabled("gateway"),
                token -> new BearerTokens.Refused("TOKEN_MALFORMED", "no", false, Map.of()));
        server.start();
        for (int i = 0; i < RefusalBudget.PER_SECOND; i++) {
            HandshakeProbe.send(server.port(), "not TLS at all".getBytes(StandardCharsets.US_ASCII));
        }

        ManagedChannel channel = TestChannels.tlsWithoutClientCertificate(server.port(), pki.caFile());
        try {
            assertThrows(StatusRuntimeException.class, () -> HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        clock.advance(Duration.ofSeconds(1));
        HandshakeProbe.send(server.port(), "not TLS at all".getBytes(StandardCharsets.US_ASCII));

        List<AuditEvent> events = audit.events();
        assertEquals(RefusalBudget.PER_SECOND + 1, events.size());
        assertFalse(events.stream().anyMatch(e -> e.reason().equals("NO_CREDENTIALS")), "the call's refusal was over budget");
        assertEquals("1", events.get(RefusalBudget.PER_SECOND).attributes().get("suppressed"));
    }

    @Test
    void mutualTlsCallLeavesNoAuthFailure() throws InterruptedException {
        ManagedChannel channel = TestChannels.mtls(server.port(), pki.issue("gateway", id("service/gateway")));
        try {
            HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }

        assertEquals(List.of(), audit.events());
    }

    /** The one event the server recorded; the probe returned after the server closed, so it is there. */
    private AuditEvent onlyEvent() {
        List<AuditEvent> events = audit.events();
        assertEquals(1, events.size(), () -> "expected one event, got " + events);
        return events.get(0);
    }
}
