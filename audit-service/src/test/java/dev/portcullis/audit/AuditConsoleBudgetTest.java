package dev.portcullis.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Map;
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
    @TempDir
    static Path dir;

    private ServiceFixture fixture;

    @BeforeAll
    void start() throws Exception {
        fixture = ConsoleDelegate.audit(dir, Map.of());
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void theConsolesRefusalsOverItsBudgetAreRefusedResourceExhausted() {
        ManagedChannel channel = ConsoleDelegate.channel(fixture);
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
        return AppendRequest.newBuilder().addAllEvents(IntStream.range(0, 500)
                .mapToObj(i -> ConsoleDelegate.refusal(AuditAction.AUDIT_ACTION_AUTH_FAILED, "CSRF_MISSING")).toList()).build();
    }
}
