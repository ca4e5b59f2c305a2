package dev.portcullis.gateway;

import static dev.portcullis.runtime.role.Role.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.testing.AccessMatrix;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.GatewayServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The gateway service's trust boundary holds before any RPC behaviour exists. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayAccessTest {
    @TempDir
    static Path dir;

    private ServiceFixture fixture;

    @BeforeAll
    void start() {
        fixture = ServiceFixture.start("gateway", dir, Map.of(
                "portcullis.gateway.policy-address", "localhost:1",
                "portcullis.gateway.executor-address", "localhost:1",
                "portcullis.gateway.audit-address", "localhost:1",
                "portcullis.gateway.store.data-dir", dir.resolve("gateway").toString(),
                "portcullis.audit-client.address", "localhost:1"));
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    @Test
    void everyRpcAdmitsExactlyTheRolesTheContractNames() {
        Map<String, Set<Role>> allowed = Map.ofEntries(
                Map.entry("SubmitRun", Set.of(CI, ADMIN)),
                Map.entry("GetRun", Set.of(CI, APPROVER, AUDITOR, ADMIN)),
                Map.entry("ListRuns", Set.of(CI, APPROVER, AUDITOR, ADMIN)),
                Map.entry("WatchRun", Set.of(CI, APPROVER, AUDITOR, ADMIN)),
                Map.entry("ApproveRun", Set.of(APPROVER)),
                Map.entry("RejectRun", Set.of(APPROVER)),
                Map.entry("CancelRun", Set.of(CI, ADMIN)),
                Map.entry("ListDriftTargets", Set.of(CI, APPROVER, AUDITOR, ADMIN)),
                Map.entry("CheckDriftNow", Set.of(ADMIN)));

        AccessMatrix.assertEnforced(fixture, GatewayServiceGrpc.getServiceDescriptor(), allowed);
    }

    @Test
    void withoutOidcIssuersACallerWithoutClientCertificateIsRefusedAtTheHandshake() {
        ManagedChannel channel = TestChannels.tlsWithoutClientCertificate(fixture.port(), fixture.pki().caFile());
        try {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> HealthGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()));

            assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
            assertTrue(causedBy(refused, SSLException.class), () -> "expected a TLS failure, got " + refused);
        } finally {
            channel.shutdownNow();
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void healthIsServingForAnyAuthenticatedCaller() {
        ServingStatus status = fixture.health(TestIdentity.NOBODY, GatewayServiceGrpc.SERVICE_NAME);

        assertEquals(ServingStatus.SERVING, status);
    }
}
