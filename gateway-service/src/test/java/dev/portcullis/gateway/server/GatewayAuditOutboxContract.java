package dev.portcullis.gateway.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.outbox.jdbc.JdbcAuditOutbox;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.server.ServiceLauncher.RunningService;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AppendResponse;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway records every audit event (here: the {@code auth.failed} of refused calls) in the
 * audit outbox of its run database, not on disk: what it recorded while the audit service was
 * down reaches it once it is back, also from a gateway started anew without any spool, and
 * gateways sharing the database ship each event once. Run against H2 and PostgreSQL.
 */
abstract class GatewayAuditOutboxContract {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private TestPki pki;
    private TlsMaterial auditTls;
    private ServiceServer audit;
    private final SwitchableAuditService auditService = new SwitchableAuditService();
    private final List<RunningService> gateways = new ArrayList<>();

    /** The gateway's run database settings ({@code portcullis.gateway.store.*}), the same for every gateway of a test. */
    protected abstract Map<String, Object> database(Path dir) throws Exception;

    /** Drops what {@link #database} made, after the gateways closed. */
    protected abstract void dropDatabase();

    @BeforeEach
    void startAuditService() {
        pki = TestPki.create(dir);
        auditTls = TlsMaterial.load(pki.tlsConfig(pki.issue("audit", TestPki.id("service/audit")), Duration.ofMinutes(5)));
        IdentityPattern gateway = new IdentityPattern("spiffe://test.example/service/gateway");
        audit = new ServiceServer("audit", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(5), Duration.ZERO),
                auditTls, new RoleMapping(Map.of(Role.GATEWAY, List.of(gateway), Role.SERVICE, List.of(gateway))),
                List.of(auditService), new RecordingAuditRecorder(), Clock.systemUTC());
        audit.start();
    }

    @AfterEach
    void stopAll() {
        gateways.forEach(RunningService::close);
        audit.close();
        auditTls.close();
        dropDatabase();
    }

    private Path spoolDir(String name) {
        return dir.resolve("spool-" + name);
    }

    private RunningService startGateway(String name) throws Exception {
        TestPki.Credential own = pki.issue(name, TestPki.id("service/gateway"));
        String auditAddress = "localhost:" + audit.port();
        Map<String, Object> properties = new HashMap<>(ServiceFixture.roleProperties());
        properties.putAll(Map.of(
                "portcullis.server.port", 0,
                "portcullis.tls.cert-file", own.certFile().toString(),
                "portcullis.tls.key-file", own.keyFile().toString(),
                "portcullis.tls.ca-file", own.caFile().toString(),
                "portcullis.gateway.policy-address", "localhost:1",
                "portcullis.gateway.executor-address", "localhost:1",
                "portcullis.gateway.audit-address", auditAddress,
                "portcullis.audit-client.address", auditAddress,
                // set, to show the gateway never uses it: it has no disk spool
                "portcullis.audit-outbox.spool-dir", spoolDir(name).toString()));
        properties.putAll(Map.of(
                "portcullis.audit-outbox.initial-backoff", "20ms",
                "portcullis.audit-outbox.max-backoff", "200ms",
                "portcullis.audit-outbox.poll-interval", "100ms"));
        properties.putAll(database(dir));
        RunningService gateway = ServiceLauncher.start("gateway", properties, false);
        gateways.add(gateway);
        return gateway;
    }

    /** A call the gateway refuses (a caller without a role) and audits as {@code auth.failed} naming {@code runId}. */
    private void refusedCall(RunningService gateway, String runId) {
        ManagedChannel channel = TestChannels.mtls(gateway.port(), pki.issue("nobody", TestIdentity.NOBODY.id()));
        try {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> GatewayServiceGrpc
                    .newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .getRun(GetRunRequest.newBuilder().setRunId(runId).build()));
            assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        } finally {
            channel.shutdownNow();
        }
    }

    private static JdbcAuditOutbox outboxOf(RunningService gateway) {
        return gateway.context().getBean(JdbcAuditOutbox.class);
    }

    private List<AuditEvent> authFailures() {
        return auditService.stored().stream().filter(e -> e.getAction() == dev.portcullis.v1.AuditAction.AUDIT_ACTION_AUTH_FAILED).toList();
    }

    @Test
    void anEventRecordedWhileTheAuditServiceIsDownIsShippedAfterItComesBack() throws Exception {
        auditService.up(false);
        RunningService gateway = startGateway("gateway-1");
        refusedCall(gateway, "r-while-down");
        await().atMost(WAIT).until(() -> outboxOf(gateway).deliveryFailures() > 0 && outboxOf(gateway).backlog() > 0);
        assertEquals(List.of(), auditService.stored());

        auditService.up(true);

        await().atMost(WAIT).until(() -> authFailures().size() == 1);
        await().atMost(WAIT).until(() -> outboxOf(gateway).backlog() == 0);
    }

    @Test
    void aGatewayStartedAnewWithoutAnySpoolShipsWhatTheStoppedOneRecorded() throws Exception {
        auditService.up(false);
        RunningService first = startGateway("gateway-1");
        refusedCall(first, "r-before-restart");
        await().atMost(WAIT).until(() -> outboxOf(first).deliveryFailures() > 0 && outboxOf(first).backlog() > 0);
        first.close();
        gateways.remove(first);
        assertFalse(Files.exists(spoolDir("gateway-1")), "the gateway wrote a disk spool");

        auditService.up(true);
        RunningService second = startGateway("gateway-2");

        await().atMost(WAIT).until(() -> authFailures().size() == 1);
        await().atMost(WAIT).until(() -> outboxOf(second).backlog() == 0);
        assertFalse(Files.exists(spoolDir("gateway-2")), "the gateway wrote a disk spool");
    }

    @Test
    void twoGatewaysOnOneDatabaseShipEachEventOnce() throws Exception {
        auditService.up(false);
        RunningService first = startGateway("gateway-1");
        RunningService second = startGateway("gateway-2");
        for (int i = 0; i < 10; i++) {
            refusedCall(first, "r-first-" + i);
            refusedCall(second, "r-second-" + i);
        }
        await().atMost(WAIT).until(() -> outboxOf(first).backlog() >= 20 && outboxOf(second).backlog() >= 20);

        auditService.up(true);

        await().atMost(WAIT).until(() -> outboxOf(first).backlog() == 0 && outboxOf(second).backlog() == 0);
        List<AuditEvent> shipped = authFailures();
        assertEquals(20, shipped.size(), String.valueOf(shipped));
        assertEquals(20, shipped.stream().map(AuditEvent::getEventId).distinct().count(), "each event id once");
        assertEquals(auditService.stored().size(), auditService.received(), "no event was sent twice");
    }

    /** An audit service stand-in that is down (UNAVAILABLE, stores nothing) or up (stores and acknowledges). */
    private static final class SwitchableAuditService extends AuditServiceGrpc.AuditServiceImplBase {
        private final List<AuditEvent> stored = new CopyOnWriteArrayList<>();
        private volatile boolean up = true;
        private volatile int received;

        void up(boolean up) {
            this.up = up;
        }

        List<AuditEvent> stored() {
            return List.copyOf(stored);
        }

        int received() {
            return received;
        }

        @Override
        public synchronized void append(AppendRequest request, StreamObserver<AppendResponse> response) {
            if (!up) {
                response.onError(Status.UNAVAILABLE.withDescription("down (test)").asRuntimeException());
                return;
            }
            received += request.getEventsCount();
            int duplicates = 0;
            for (AuditEvent event : request.getEventsList()) {
                if (stored.stream().anyMatch(e -> e.getEventId().equals(event.getEventId()))) {
                    duplicates++; // the audit service stores an event id once
                } else {
                    stored.add(event);
                }
            }
            response.onNext(AppendResponse.newBuilder().setStored(request.getEventsCount() - duplicates)
                    .setDuplicates(duplicates).build());
            response.onCompleted();
        }
    }
}
