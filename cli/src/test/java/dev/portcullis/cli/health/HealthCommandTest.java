package dev.portcullis.cli.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.ClientEnvironment;
import dev.portcullis.cli.ExitStatus;
import dev.portcullis.runtime.testing.HealthWatch;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.v1.GatewayServiceGrpc;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HealthCommandTest {
    @TempDir
    Path dir;

    @Test
    void aRunningServiceThatIsNotReadyIsToldApartFromOneThatCannotBeReached() throws Exception {
        int nothingListens;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nothingListens = closed.getLocalPort();
        }
        // no audit service configured: the gateway refuses new runs, so it is not ready
        try (ServiceFixture gateway = ServiceFixture.start("gateway", dir, Map.of(
                        "portcullis.gateway.policy-address", "localhost:1",
                        "portcullis.gateway.executor-address", "localhost:1",
                        "portcullis.gateway.audit-address", "localhost:1",
                        "portcullis.gateway.store.data-dir", dir.resolve("gateway").toString(),
                        "portcullis.health.interval", "100ms"));
                HealthWatch watch = HealthWatch.of(gateway, TestIdentity.NOBODY, GatewayServiceGrpc.SERVICE_NAME)) {
            watch.await(ServingStatus.NOT_SERVING, Duration.ofSeconds(30));
            TestPki.Credential ci = gateway.credential(TestIdentity.CI);
            ClientEnvironment environment = new ClientEnvironment(Map.of(
                    "PORTCULLIS_GATEWAY_ADDR", "localhost:" + gateway.port(),
                    "PORTCULLIS_POLICY_ADDR", "localhost:" + nothingListens,
                    "PORTCULLIS_CA_FILE", ci.caFile().toString(),
                    "PORTCULLIS_CERT_FILE", ci.certFile().toString(),
                    "PORTCULLIS_KEY_FILE", ci.keyFile().toString()));
            HealthCommand health = new HealthCommand();
            new CommandLine(health).parseArgs("--service", "gateway,policy", "--timeout", "5s");
            StringWriter out = new StringWriter();

            int status = health.check(environment, new PrintWriter(out));

            assertEquals(ExitStatus.UNHEALTHY.code(), status, out.toString());
            List<String> lines = out.toString().lines().toList();
            assertEquals(2, lines.size(), out.toString());
            assertTrue(lines.get(0).matches("gateway +localhost:[0-9]+ +NOT_SERVING  \\(running, not ready: its log names "
                    + "the failing check, health.check_failed\\)"), lines.get(0));
            assertTrue(lines.get(1).matches("policy +localhost:[0-9]+ +UNAVAILABLE.*"), lines.get(1));
        }
    }
}
