package dev.portcullis.executor;

import static dev.portcullis.runtime.role.Role.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.testing.AccessMatrix;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.ExecutorServiceGrpc;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The executor service's trust boundary holds before any RPC behaviour exists. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExecutorAccessTest {
    @TempDir
    static Path dir;

    private ServiceFixture fixture;

    @BeforeAll
    void start() {
        fixture = ServiceFixture.start("executor", dir, Map.of("portcullis.executor.work-dir", dir.resolve("work").toString(),
                "portcullis.executor.store.data-dir", dir.resolve("work").toString()));
    }

    @AfterAll
    void stop() {
        fixture.close();
    }

    @Test
    void everyRpcAdmitsExactlyTheRolesTheContractNames() {
        Map<String, Set<Role>> allowed = Map.ofEntries(
                Map.entry("StartTask", Set.of(GATEWAY)),
                Map.entry("WatchTask", Set.of(GATEWAY)),
                Map.entry("CancelTask", Set.of(GATEWAY)),
                Map.entry("GetTask", Set.of(GATEWAY)),
                Map.entry("ResolveRef", Set.of(GATEWAY)));

        AccessMatrix.assertEnforced(fixture, ExecutorServiceGrpc.getServiceDescriptor(), allowed);
    }

    @Test
    void healthIsServingForAnyAuthenticatedCaller() {
        ServingStatus status = fixture.health(TestIdentity.NOBODY, ExecutorServiceGrpc.SERVICE_NAME);

        assertEquals(ServingStatus.SERVING, status);
    }
}
