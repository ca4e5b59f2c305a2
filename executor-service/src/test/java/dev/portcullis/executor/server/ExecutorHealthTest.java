package dev.portcullis.executor.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.runtime.health.ReadinessPoller;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.testing.HealthWatch;
import dev.portcullis.runtime.testing.LogCapture;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.SeveringProxy;
import dev.portcullis.runtime.testing.TestDatabases;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.v1.ExecutorServiceGrpc;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor's readiness follows its PostgreSQL task database: cut off behind a loopback proxy, the
 * executor goes NOT_SERVING (watched through grpc.health.v1 over mTLS, as a load balancer would),
 * and SERVING again once the database is back, while liveness never wavers.
 */
class ExecutorHealthTest {
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void executorIsNotServingWhileItsTaskDatabaseIsUnreachableAndServingWhenItReturns() throws Exception {
        TestDatabases.Settings db = TestDatabases.freshPostgresSchema();
        try (SeveringProxy proxy = new SeveringProxy(db.port());
                LogCapture logs = new LogCapture(ReadinessPoller.class);
                ServiceFixture executor = ServiceFixture.start("executor", dir, Map.ofEntries(
                        Map.entry("portcullis.executor.work-dir", dir.resolve("work").toString()),
                        Map.entry("portcullis.executor.store.jdbc-url", db.through(proxy.port()).jdbcUrlInSchema()),
                        Map.entry("portcullis.executor.store.db-user", db.user()),
                        Map.entry("portcullis.executor.store.db-password-file",
                                Files.writeString(dir.resolve("db-password"), db.password(), UTF_8).toString()),
                        Map.entry("portcullis.audit-client.address", "localhost:1"),
                        Map.entry("portcullis.audit-outbox.spool-dir", dir.resolve("outbox").toString()),
                        Map.entry("portcullis.health.interval", "100ms"),
                        Map.entry("portcullis.health.check-timeout", "500ms")));
                HealthWatch service = HealthWatch.of(executor, TestIdentity.NOBODY, ExecutorServiceGrpc.SERVICE_NAME);
                HealthWatch whole = HealthWatch.of(executor, TestIdentity.NOBODY, "");
                HealthWatch liveness = HealthWatch.of(executor, TestIdentity.NOBODY, ServiceServer.LIVENESS)) {
            service.await(ServingStatus.SERVING, WITHIN);
            liveness.await(ServingStatus.SERVING, WITHIN);

            proxy.partition();

            service.await(ServingStatus.NOT_SERVING, WITHIN);
            whole.await(ServingStatus.NOT_SERVING, WITHIN);
            assertEquals(1, logs.events("WARN", "health.check_failed", "check", "database").size());

            proxy.restore();

            service.await(ServingStatus.SERVING, WITHIN);
            whole.await(ServingStatus.SERVING, WITHIN);
            assertEquals(ServingStatus.SERVING, executor.health(TestIdentity.NOBODY, ServiceServer.LIVENESS));
            assertEquals(ServingStatus.SERVING, executor.health(TestIdentity.NOBODY, ""));
        } finally {
            TestDatabases.drop(db);
        }
    }
}
