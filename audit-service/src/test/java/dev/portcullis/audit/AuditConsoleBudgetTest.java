package dev.portcullis.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditOutcome;
import dev.portcullis.v1.AuditResource;
import dev.portcullis.v1.AuditServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit service budgets what a delegate appends with its certificate alone: a stolen console
 * certificate cannot fill the log with refusals without bound, whatever the console itself budgets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditConsoleBudgetTest {
    private static final String CONSOLE = "spiffe://test.example/console";

    @TempDir
    static Path dir;

    private ServiceFixture fixture;

    @BeforeAll
    void start() throws Exception {
        Map<String, Object> properties = new HashMap<>();
        properties.put("portcullis.audit.data-dir", dir.resolve("audit").toString());
        properties.put("portcullis.oidc.delegates", List.of(CONSOLE));
        fixture = ServiceFixture.start("audit", Files.createDirectories(dir.resolve("pki")), properties);
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void theConsolesRefusalsOverItsBudgetAreRefusedResourceExhausted() {
        ManagedChannel channel = TestChannels.mtls(fixture.port(), fixture.pki().issue("console-" + UUID.randomUUID(),
                TestPki.id("console")));
        try {
            AuditServiceGrpc.AuditServiceBlockingStub stub = AuditServiceGrpc.newBlockingStub(channel);
            // the whole budget in two full batches (the refill in between is 20 a second: far from another batch)
            assertEquals(500, stub.withDeadlineAfter(30, TimeUnit.SECONDS).append(batch()).getStored());
            assertEquals(500, stub.withDeadlineAfter(30, TimeUnit.SECONDS).append(batch()).getStored());

            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> stub.withDeadlineAfter(30, TimeUnit.SECONDS).append(batch()));

            assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
            assertEquals("DELEGATE_RATE_LIMITED", TestChannels.reason(refused));
        } finally {
            channel.shutdownNow();
        }
    }

    private static AppendRequest batch() {
        return AppendRequest.newBuilder().addAllEvents(IntStream.range(0, 500).mapToObj(i -> AuditEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setTime(com.google.protobuf.util.Timestamps.fromMillis(System.currentTimeMillis()))
                .setService("console").setAction(AuditAction.AUDIT_ACTION_AUTH_FAILED)
                .setOutcome(AuditOutcome.AUDIT_OUTCOME_DENIED).setReason("CSRF_MISSING").setSourceAddress("192.0.2.7:50123")
                .setResource(AuditResource.newBuilder().setKind("page").setId("POST /runs/x/approve")).build()).toList()).build();
    }
}
