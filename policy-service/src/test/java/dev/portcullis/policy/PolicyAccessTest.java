package dev.portcullis.policy;

import static dev.portcullis.runtime.role.Role.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.testing.AccessMatrix;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.PolicyServiceGrpc;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The policy service's trust boundary holds before any RPC behaviour exists. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyAccessTest {
    @TempDir
    static Path dir;

    private ServiceFixture fixture;

    @BeforeAll
    void start() {
        fixture = ServiceFixture.start("policy", dir,
                Map.of("portcullis.policy.catalog-file", Path.of("../deploy/examples/catalog.yaml").toAbsolutePath().toString()));
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    @Test
    void everyRpcAdmitsExactlyTheRolesTheContractNames() {
        Map<String, Set<Role>> allowed = Map.ofEntries(
                Map.entry("Evaluate", Set.of(GATEWAY)),
                Map.entry("GetCatalog", Set.of(GATEWAY)),
                Map.entry("ValidateCatalog", Set.of(GATEWAY)));

        AccessMatrix.assertEnforced(fixture, PolicyServiceGrpc.getServiceDescriptor(), allowed);
    }

    @Test
    void healthIsServingForAnyAuthenticatedCaller() {
        ServingStatus status = fixture.health(TestIdentity.NOBODY, PolicyServiceGrpc.SERVICE_NAME);

        assertEquals(ServingStatus.SERVING, status);
    }
}
