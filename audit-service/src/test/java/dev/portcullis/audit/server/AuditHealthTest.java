package dev.portcullis.audit.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.portcullis.runtime.testing.HealthWatch;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.SeveringProxy;
import dev.portcullis.runtime.testing.TestDatabases;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.AuditServiceGrpc;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit service's readiness follows its PostgreSQL database, cut off behind a loopback proxy and restored. */
class AuditHealthTest {
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void auditServiceIsNotServingWhileItsDatabaseIsUnreachableAndServingWhenItReturns() throws Exception {
        TestDatabases.Settings db = TestDatabases.freshPostgresSchema();
        try (SeveringProxy proxy = new SeveringProxy(db.port());
                ServiceFixture audit = ServiceFixture.start("audit", dir, Map.of(
                        "portcullis.audit.data-dir", dir.resolve("audit").toString(),
                        "portcullis.audit.jdbc-url", db.through(proxy.port()).jdbcUrlInSchema(),
                        "portcullis.audit.db-user", db.user(),
                        "portcullis.audit.db-password-file",
                                Files.writeString(dir.resolve("db-password"), db.password(), UTF_8).toString(),
                        "portcullis.health.interval", "100ms",
                        "portcullis.health.check-timeout", "500ms"));
                HealthWatch health = HealthWatch.of(audit, TestIdentity.NOBODY, AuditServiceGrpc.SERVICE_NAME)) {
            health.await(ServingStatus.SERVING, WITHIN);

            proxy.partition();

            health.await(ServingStatus.NOT_SERVING, WITHIN);

            proxy.restore();

            health.await(ServingStatus.SERVING, WITHIN);
        } finally {
            TestDatabases.drop(db);
        }
    }
}
