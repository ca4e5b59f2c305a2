package dev.portcullis.audit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.AlertSeverity;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ListAlertsRequest;
import dev.portcullis.v1.ListAlertsResponse;
import dev.portcullis.v1.WatchAlertsRequest;
import dev.portcullis.v1.WatchAlertsResponse;
import io.grpc.ManagedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A burst of failed authentications raises an alert that is listed, streamed and posted to a webhook. */
class AlertsOverGrpcTest {
    @TempDir
    Path dir;

    private HttpServer receiver;
    private final BlockingQueue<String> posted = new ArrayBlockingQueue<>(10);
    private ServiceFixture fixture;

    @BeforeEach
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            posted.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        fixture = ServiceFixture.start("audit", dir, Map.of(
                "portcullis.audit.data-dir", dir.resolve("audit").toString(),
                "portcullis.audit.alerts.delivery.webhook-urls", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
    }

    @AfterEach
    void stop() {
        fixture.close();
        receiver.stop(0);
    }

    @Test
    void aBurstOfAuthFailuresIsListedStreamedAndPosted() throws Exception {
        ManagedChannel auditor = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.AUDITOR));
        ManagedChannel executor = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.OTHER_SERVICE));
        try {
            Iterator<WatchAlertsResponse> watch = AuditServiceGrpc.newBlockingStub(auditor)
                    .withDeadlineAfter(30, TimeUnit.SECONDS).watchAlerts(WatchAlertsRequest.newBuilder().setAfterSequence(0).build());
            CompletableFuture<WatchAlertsResponse> streamed = CompletableFuture.supplyAsync(watch::next);
            AppendRequest burst = AppendRequest.newBuilder().addAllEvents(IntStream.range(0, 5).mapToObj(n ->
                    AuditEvents.toProto(AuditEvent.builder("executor", AuditAction.AUTH_FAILED,
                                    Instant.now().minusSeconds(10 - n))
                            .actor("spiffe://test.example/human/mallory").outcome(AuditOutcome.DENIED)
                            .reason("ROLE_REQUIRED").sourceAddress("10.9.8.7:5555").build())).toList()).build();

            AuditServiceGrpc.newBlockingStub(executor).withDeadlineAfter(20, TimeUnit.SECONDS).append(burst);

            ListAlertsResponse listed = AuditServiceGrpc.newBlockingStub(auditor).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .listAlerts(ListAlertsRequest.getDefaultInstance());
            assertEquals("auth_failure_burst", listed.getAlerts(0).getRule());
            assertEquals(AlertSeverity.ALERT_SEVERITY_HIGH, listed.getAlerts(0).getSeverity());
            assertEquals(5, listed.getAlerts(0).getEventIdsCount());
            assertEquals("auth_failure_burst", streamed.get(20, TimeUnit.SECONDS).getAlert().getRule());
            String body = posted.poll(20, TimeUnit.SECONDS);
            assertTrue(body != null && body.contains("\"text\""), String.valueOf(body));
        } finally {
            auditor.shutdownNow();
            executor.shutdownNow();
        }
    }
}
