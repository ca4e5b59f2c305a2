package dev.portcullis.audit.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.audit.store.AuditEventsForTests;
import dev.portcullis.audit.witness.TlogWitnessServer;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.server.ServiceLauncher.RunningService;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The witnesses as the audit service wires them from its configuration: a tlog-witness trusted through {@code ca-file}. */
class WitnessesAsWiredTest {
    @TempDir
    Path dir;

    @Test
    void aCheckpointSignedByTheRunningServiceReachesTheConfiguredWitness() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        TestPki.Credential server = pki.issue("audit-server", TestPki.id("service/audit"));
        Path audit = Files.createDirectories(dir.resolve("audit"));
        // the service creates its key on first start; the witness is told its public half up front
        CheckpointSigner signer = CheckpointSigner.load(audit.resolve("checkpoint.key"), audit.resolve("checkpoint.pub"), true);
        Map<String, Object> properties = new HashMap<>(ServiceFixture.roleProperties());
        properties.put("portcullis.server.port", 0);
        properties.put("portcullis.tls.cert-file", server.certFile().toString());
        properties.put("portcullis.tls.key-file", server.keyFile().toString());
        properties.put("portcullis.tls.ca-file", server.caFile().toString());
        properties.put("portcullis.audit.data-dir", audit.toString());
        properties.put("portcullis.audit.checkpoint-every", "1");
        properties.put("portcullis.server.shutdown-grace", "1s");
        properties.put("portcullis.audit.witnesses.ca-file", pki.caFile().toString());
        properties.put("portcullis.audit.witnesses.poll-interval", "20ms");

        try (TlogWitnessServer witness = new TlogWitnessServer(pki, signer.publicKey())) {
            properties.put("portcullis.audit.witnesses.webhook-urls", witness.url().toString());
            try (RunningService service = ServiceLauncher.start("audit", properties, false)) {
                service.context().getBean(AuditIngest.class).append(List.of(AuditEventsForTests.event(1)));

                await("the witness receiving the checkpoint").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> witness.accepted().contains(1L));
            }
            assertEquals(200, witness.answers().get(0));
        }
    }
}
