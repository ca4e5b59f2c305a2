package dev.portcullis.cli.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.call.ClientEnvironment;
import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.runtime.testing.HealthWatch;
import dev.portcullis.runtime.testing.SeveringProxy;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.runtime.testing.TestDatabases;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.GatewayServiceGrpc;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HealthCommandTest {
    @TempDir
    Path dir;

    @Test
    void healthTellsServingNotReadyNotRunningAndRefusedOurCertificateApart() throws Exception {
        int nothingListens;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nothingListens = closed.getLocalPort();
        }
        TestDatabases.Settings db = TestDatabases.freshPostgresSchema();
        // its run database cut off once it runs: the gateway is running, not ready
        try (SeveringProxy proxy = new SeveringProxy(db.port());
                ServiceFixture gateway = ServiceFixture.start("gateway", dir.resolve("gateway-pki"), Map.of(
                        "portcullis.gateway.policy-address", "localhost:1",
                        "portcullis.gateway.executor-address", "localhost:1",
                        "portcullis.gateway.audit-address", "localhost:1",
                        "portcullis.gateway.store.jdbc-url", db.through(proxy.port()).jdbcUrlInSchema(),
                        "portcullis.gateway.store.db-user", db.user(),
                        "portcullis.gateway.store.db-password-file",
                        Files.writeString(dir.resolve("db-password"), db.password()).toString(),
                        "portcullis.gateway.store.data-dir", dir.resolve("gateway").toString(),
                        "portcullis.health.interval", "100ms",
                        "portcullis.health.check-timeout", "500ms"));
                ServiceFixture audit = startAuditTrustingTheCaOf(gateway);
                // a service of another suite: its CA never issued our certificate
                ServiceFixture stranger = ServiceFixture.start("audit", dir.resolve("stranger-pki"), Map.of(
                        "portcullis.audit.store.data-dir", dir.resolve("stranger").toString()));
                HealthWatch notReady = HealthWatch.of(gateway, TestIdentity.NOBODY, GatewayServiceGrpc.SERVICE_NAME);
                HealthWatch ready = HealthWatch.of(audit.port(), gateway.credential(TestIdentity.NOBODY),
                        AuditServiceGrpc.SERVICE_NAME)) {
            proxy.partition();
            notReady.await(ServingStatus.NOT_SERVING, Duration.ofSeconds(30));
            ready.await(ServingStatus.SERVING, Duration.ofSeconds(30));
            TestPki.Credential ci = gateway.credential(TestIdentity.CI);
            Path bothCas = dir.resolve("both-cas.pem");
            Files.writeString(bothCas, Files.readString(ci.caFile()) + Files.readString(stranger.pki().caFile()));
            ClientEnvironment environment = new ClientEnvironment(Map.of(
                    "PORTCULLIS_GATEWAY_ADDR", "localhost:" + gateway.port(),
                    "PORTCULLIS_POLICY_ADDR", "localhost:" + nothingListens,
                    "PORTCULLIS_EXECUTOR_ADDR", "localhost:" + stranger.port(),
                    "PORTCULLIS_AUDIT_ADDR", "localhost:" + audit.port(),
                    "PORTCULLIS_CA_FILE", bothCas.toString(),
                    "PORTCULLIS_CERT_FILE", ci.certFile().toString(),
                    "PORTCULLIS_KEY_FILE", ci.keyFile().toString()));
            HealthCommand health = new HealthCommand();
            new CommandLine(health).parseArgs("--timeout", "5s");
            StringWriter out = new StringWriter();

            int status = health.check(environment, new PrintWriter(out));

            assertEquals(ExitStatus.UNHEALTHY.code(), status, out.toString());
            List<String> lines = out.toString().lines().toList();
            assertTrue(lines.get(0).matches("gateway +localhost:[0-9]+ +NOT_SERVING  \\(running, not ready: its log names "
                    + "the failing check, health.check_failed\\)"), lines.get(0));
            assertTrue(lines.get(1).matches("policy +localhost:[0-9]+ +NOT_RUNNING  \\(connection refused\\)"), lines.get(1));
            assertTrue(lines.get(2).matches("executor +localhost:[0-9]+ +REFUSED_OUR_CERTIFICATE  \\(it does not trust our "
                    + "certificate's issuer.*\\)"), lines.get(2));
            assertTrue(lines.get(3).matches("audit +localhost:[0-9]+ +SERVING"), lines.get(3));
            assertTrue(out.toString().contains("Check PORTCULLIS_POLICY_ADDR (localhost:" + nothingListens + "): the other"
                    + " services answer"), out.toString());
            assertFalse(out.toString().contains("Start it with"), "the suite runs: " + out);
            assertTrue(out.toString().contains("Present a current certificate from a CA the executor trusts"), out.toString());
            assertFalse(out.toString().contains("Channel Pipeline"), out.toString());
            assertFalse(out.toString().contains("Exception:"), out.toString());
        } finally {
            TestDatabases.drop(db);
        }
    }

    @Test
    void aSuiteWhereNothingAnswersIsToldToStartDevMode() throws Exception {
        int nothingListens;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nothingListens = closed.getLocalPort();
        }
        TestPki pki = TestPki.create(dir.resolve("lonely-pki"));
        TestPki.Credential ci = pki.issue("ci", TestPki.id("ci/dev/example"));
        Map<String, String> variables = new HashMap<>(Map.of("PORTCULLIS_CA_FILE", ci.caFile().toString(),
                "PORTCULLIS_CERT_FILE", ci.certFile().toString(), "PORTCULLIS_KEY_FILE", ci.keyFile().toString()));
        ClientEnvironment.ADDRESS_VARIABLES.values().forEach(variable -> variables.put(variable, "localhost:" + nothingListens));
        HealthCommand health = new HealthCommand();
        new CommandLine(health).parseArgs("--timeout", "5s");
        StringWriter out = new StringWriter();

        int status = health.check(new ClientEnvironment(variables), new PrintWriter(out));

        assertEquals(ExitStatus.UNHEALTHY.code(), status, out.toString());
        assertEquals(4, out.toString().lines().filter(line -> line.contains("NOT_RUNNING")).count(), out.toString());
        assertTrue(out.toString().contains("Start it with `./portcullis dev`"), out.toString());
    }

    /** An audit service presenting a certificate of the gateway's CA and trusting only that CA, as one suite does. */
    private ServiceFixture startAuditTrustingTheCaOf(ServiceFixture gateway) {
        TestPki.Credential own = gateway.pki().issue("audit-server", TestPki.id("service/audit"));
        return ServiceFixture.start("audit", dir.resolve("audit-pki"), Map.of(
                "portcullis.audit.store.data-dir", dir.resolve("audit").toString(),
                "portcullis.health.interval", "100ms",
                "portcullis.tls.cert-file", own.certFile().toString(),
                "portcullis.tls.key-file", own.keyFile().toString(),
                "portcullis.tls.ca-file", own.caFile().toString()));
    }
}
