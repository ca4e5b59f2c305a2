package dev.portcullis.audit.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.runtime.testing.HandshakeProbe;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.QueryRequest;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance of "every refused connection on record", through the audit service as it runs:
 * a handshake with no certificate, another CA's or an expired one each leaves one {@code auth.failed}
 * with the source address in the stored log, found by an auditor's Query. Each test tells its own
 * event by its connection's local port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusedHandshakesOnRecordTest {
    @TempDir
    static Path dir;

    private ServiceFixture fixture;

    @BeforeAll
    void start() {
        fixture = ServiceFixture.start("audit", dir, Map.of("portcullis.audit.data-dir", dir.resolve("audit").toString()));
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    @Test
    void aHandshakeWithoutACertificateIsOnRecordOnceWithItsSourceAddress() {
        int local = HandshakeProbe.handshake(fixture.port(), fixture.pki().caFile(), Optional.empty());

        AuditEvent event = theOneRefusalFrom(local);
        assertEquals("NO_CLIENT_CERTIFICATE", event.getReason());
        assertEquals("", event.getActor());
    }

    @Test
    void aCertificateFromAnotherCaIsOnRecordOnceWithWhatItClaimed() throws Exception {
        TestPki elsewhere = TestPki.create(Files.createDirectory(dir.resolve("elsewhere")), "Elsewhere CA");
        TestPki.Credential foreign = elsewhere.issue("auditor", TestIdentity.AUDITOR.id());

        int local = HandshakeProbe.handshake(fixture.port(), fixture.pki().caFile(), Optional.of(foreign));

        AuditEvent event = theOneRefusalFrom(local);
        assertEquals("CERTIFICATE_REJECTED", event.getReason());
        assertEquals("not issued by a trusted CA", event.getAttributesOrThrow("problem"));
        assertEquals("uri:" + TestIdentity.AUDITOR.id().value() + ",dns:localhost", event.getAttributesOrThrow("unverified_names"));
        assertEquals("false", event.getAttributesOrThrow("verified"));
    }

    @Test
    void anExpiredCertificateIsOnRecordOnceAsExpired() {
        Instant now = Instant.now();
        TestPki.Credential expired = fixture.pki().issue("expired-auditor", TestIdentity.AUDITOR.id(),
                new Validity(now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1))));

        int local = HandshakeProbe.handshake(fixture.port(), fixture.pki().caFile(), Optional.of(expired));

        AuditEvent event = theOneRefusalFrom(local);
        assertEquals("CERTIFICATE_REJECTED", event.getReason());
        assertEquals("expired", event.getAttributesOrThrow("problem"));
    }

    /** The stored auth.failed events from 127.0.0.1:{@code localPort}, once there is one; exactly one. */
    private AuditEvent theOneRefusalFrom(int localPort) {
        String source = "127.0.0.1:" + localPort;
        List<AuditEvent> found = await("auth.failed from " + source + " in the audit log").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> authFailures().stream().filter(e -> e.getSourceAddress().equals(source)).toList(),
                        events -> !events.isEmpty());
        assertEquals(1, found.size(), found::toString);
        return found.get(0);
    }

    private List<AuditEvent> authFailures() throws InterruptedException {
        ManagedChannel channel = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.AUDITOR));
        try {
            List<AuditEvent> events = new ArrayList<>();
            AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .query(QueryRequest.newBuilder().addActions(AuditAction.AUDIT_ACTION_AUTH_FAILED).setLimit(1000).setBatched(true)
                            .build())
                    .forEachRemaining(response -> response.getEventsList().forEach(stored -> events.add(stored.getEvent())));
            return events;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
