package dev.portcullis.audit;

import static dev.portcullis.runtime.role.Role.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.testing.AccessMatrix;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.AuditServiceGrpc;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The audit service's trust boundary holds before any RPC behaviour exists. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditAccessTest {
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
    void everyRpcAdmitsExactlyTheRolesTheContractNames() {
        Map<String, Set<Role>> allowed = Map.ofEntries(
                Map.entry("Append", Set.of(SERVICE)),
                Map.entry("Query", Set.of(AUDITOR, ADMIN)),
                Map.entry("Verify", Set.of(AUDITOR, ADMIN)),
                Map.entry("GetInclusionProof", Set.of(AUDITOR, ADMIN)),
                Map.entry("GetConsistencyProof", Set.of(AUDITOR, ADMIN)),
                Map.entry("SignCheckpoint", Set.of(AUDITOR, ADMIN)),
                Map.entry("ListAlerts", Set.of(AUDITOR, ADMIN)),
                Map.entry("WatchAlerts", Set.of(AUDITOR, ADMIN)),
                Map.entry("ListSources", Set.of(AUDITOR, ADMIN)));

        AccessMatrix.assertEnforced(fixture, AuditServiceGrpc.getServiceDescriptor(), allowed);
    }

    @Test
    void healthIsServingForAnyAuthenticatedCaller() {
        ServingStatus status = fixture.health(TestIdentity.NOBODY, AuditServiceGrpc.SERVICE_NAME);

        assertEquals(ServingStatus.SERVING, status);
    }
}
