package dev.portcullis.audit;

import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditOutcome;
import dev.portcullis.v1.AuditResource;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The web console as the audit service's tests see it: its identity, an audit service that takes
 * it as a delegate, a channel presenting its certificate, and the refusal events it appends.
 */
final class ConsoleDelegate {
    static final String IDENTITY = "spiffe://test.example/console";

    private ConsoleDelegate() {
    }

    /** The audit service in {@code dir}, with the console as its one delegate and {@code more} settings. */
    static ServiceFixture audit(Path dir, Map<String, Object> more) throws Exception {
        Map<String, Object> properties = new HashMap<>(more);
        properties.put("portcullis.audit.data-dir", dir.resolve("audit").toString());
        properties.put("portcullis.oidc.delegates", List.of(IDENTITY));
        return ServiceFixture.start("audit", Files.createDirectories(dir.resolve("pki")), properties);
    }

    /** A channel to {@code audit} with a fresh certificate of the console's identity and no person's token. */
    static ManagedChannel channel(ServiceFixture audit) {
        return TestChannels.mtls(audit.port(), audit.pki().issue("console-" + UUID.randomUUID(), TestPki.id("console")));
    }

    /** A refusal of a page as the console records it: DENIED, no actor, a source address. */
    static AuditEvent refusal(AuditAction action, String reason) {
        return AuditEvent.newBuilder().setEventId(UUID.randomUUID().toString())
                .setTime(com.google.protobuf.util.Timestamps.fromMillis(System.currentTimeMillis()))
                .setService("console").setAction(action).setOutcome(AuditOutcome.AUDIT_OUTCOME_DENIED).setReason(reason)
                .setSourceAddress("192.0.2.7:50123")
                .setResource(AuditResource.newBuilder().setKind("page").setId("POST /runs/x/approve")).build();
    }
}
