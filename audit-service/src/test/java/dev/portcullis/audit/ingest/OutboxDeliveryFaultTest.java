package dev.portcullis.audit.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.chain.ChainVerification;
import dev.portcullis.audit.chain.VerificationReport;
import dev.portcullis.audit.store.AuditStore;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.outbox.AuditOutbox;
import dev.portcullis.runtime.outbox.GrpcAuditShipper;
import dev.portcullis.runtime.outbox.OutboxConfig;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.server.ServiceLauncher.RunningService;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestPki;
import io.grpc.ManagedChannel;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost: a producer records 20,000 events through the durable outbox while the audit
 * service is stopped and restarted twice; afterwards every event is stored exactly once and
 * the chain verifies.
 */
class OutboxDeliveryFaultTest {
    private static final Duration POLL = Duration.ofMillis(1);
    private static final int EVENTS = 20_000;

    @TempDir
    Path dir;

    @Test
    void everyEventArrivesOnceAcrossTwoAuditRestarts() throws Exception {
        TestPki pki = TestPki.create(dir);
        TestPki.Credential server = pki.issue("audit-server", TestPki.id("service/audit"));
        TestPki.Credential producer = pki.issue("executor", TestPki.id("service/executor"));
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Map<String, Object> properties = new HashMap<>(ServiceFixture.roleProperties());
        properties.put("portcullis.server.port", port);
        properties.put("portcullis.tls.cert-file", server.certFile().toString());
        properties.put("portcullis.tls.key-file", server.keyFile().toString());
        properties.put("portcullis.tls.ca-file", server.caFile().toString());
        properties.put("portcullis.audit.data-dir", dir.resolve("audit").toString());
        properties.put("portcullis.server.shutdown-grace", "1s");

        RunningService audit = ServiceLauncher.start("audit", properties, false);
        ManagedChannel channel = TestChannels.mtls(port, producer);
        AuditOutbox outbox = new AuditOutbox(new OutboxConfig(dir.resolve("spool"), 64L << 20, 500,
                Duration.ofMillis(20), Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofSeconds(1)),
                new GrpcAuditShipper(channel, Duration.ofSeconds(10)), Clock.systemUTC());
        outbox.start();
        AtomicInteger recorded = new AtomicInteger();
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
            for (int n = 0; n < EVENTS; n++) {
                outbox.record(AuditEvent.builder("executor", AuditAction.TASK_STARTED, Instant.now())
                        .resource(new AuditResource("task", "t-" + n, "infra-live", "r-" + n))
                        .build());
                recorded.incrementAndGet();
            }
        });
        try {
            for (int restart = 0; restart < 2; restart++) {
                awaitAtLeast(recorded, (restart * 2 + 1) * EVENTS / 5);
                audit.close();
                awaitAtLeast(recorded, (restart * 2 + 2) * EVENTS / 5);
                audit = ServiceLauncher.start("audit", properties, false);
            }
            producing.get(120, TimeUnit.SECONDS);
            await("the outbox draining").atMost(Duration.ofSeconds(120)).pollInterval(POLL)
                    .untilAsserted(() -> assertEquals(0, outbox.backlog(), "the outbox did not drain"));

            AuditStore store = audit.context().getBean(AuditStore.class);
            VerificationReport report = audit.context().getBean(ChainVerification.class).verify(0, 0);
            assertEquals(EVENTS, store.headSequence(), "each event stored exactly once");
            assertTrue(report.intact(), report.problem());
            assertEquals(EVENTS, report.checked());
        } finally {
            outbox.close();
            channel.shutdownNow();
            audit.close();
        }
    }

    private static void awaitAtLeast(AtomicInteger counter, int value) {
        await("the producer reaching " + value).atMost(Duration.ofSeconds(60)).pollInterval(POLL)
                .untilAsserted(() -> assertTrue(counter.get() >= value, "the producer stalled at " + counter.get()));
    }
}
