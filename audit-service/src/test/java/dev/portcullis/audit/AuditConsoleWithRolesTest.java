package dev.portcullis.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditOutcome;
import dev.portcullis.v1.AuditResource;
import dev.portcullis.v1.AuditServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's certificate alone stays narrowed to its own refusals even when a broad role pattern
 * (here {@code spiffe://test.example/*} for the service role) happens to match the console too: a
 * stolen console certificate must not write a run's approval into the log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditConsoleWithRolesTest {
    @TempDir
    static Path dir;

    private ServiceFixture fixture;

    @BeforeAll
    void start() throws Exception {
        fixture = ConsoleDelegate.audit(dir,
                Map.of("portcullis.roles.service", List.of("spiffe://test.example/service/*", "spiffe://test.example/*")));
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void theConsolesCertificateAloneMayNotAppendAnApprovalEvenWhenARolePatternMatchesIt() {
        AuditEvent approval = ConsoleDelegate.refusal(AuditAction.AUDIT_ACTION_RUN_APPROVED, "FORGED").toBuilder()
                .setOutcome(AuditOutcome.AUDIT_OUTCOME_SUCCESS).clearSourceAddress()
                .setResource(AuditResource.newBuilder().setKind("run").setId("r-1")).build();
        ManagedChannel channel = ConsoleDelegate.channel(fixture);
        try {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> AuditServiceGrpc
                    .newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .append(AppendRequest.newBuilder().addEvents(approval).build()));

            assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
            assertEquals("DELEGATE_EVENT_NOT_ALLOWED", TestChannels.reason(refused));
        } finally {
            channel.shutdownNow();
        }
    }
}
