package dev.portcullis.cli.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.CliRun;
import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.Portcullis;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.server.ServiceLauncher.RunningService;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code portcullis dev serve NAME}: one dev service, on its dev port, in a process of its own. */
class DevServeCommandTest {
    @TempDir
    Path dir;

    private DevServeCommand parse(String... args) {
        DevServeCommand serve = new DevServeCommand();
        new CommandLine(serve).parseArgs(args);
        return serve;
    }

    @Test
    void theGatewayIsConfiguredForItsNeighboursOnTheirDevPortsAndForPostgresqlByFile() {
        Path data = DevMode.prepare(dir.resolve("data"), Clock.systemUTC()).dataDir();

        Map<String, Object> properties = parse("gateway", "--data-dir", data.toString(), "--base-port", "9100",
                "--jdbc-url", "jdbc:postgresql://127.0.0.1:5432/db?currentSchema=g", "--db-user", "u",
                "--db-password-file", dir.resolve("password").toString(), "--set", "portcullis.gateway.runs.lease=3s")
                .configuration();

        assertEquals(9100, properties.get("portcullis.server.port"));
        assertEquals("localhost:9101", properties.get("portcullis.gateway.policy-address"));
        assertEquals("localhost:9102", properties.get("portcullis.gateway.executor-address"));
        assertEquals("localhost:9103", properties.get("portcullis.gateway.audit-address"));
        assertEquals("jdbc:postgresql://127.0.0.1:5432/db?currentSchema=g", properties.get("portcullis.gateway.store.jdbc-url"));
        assertEquals("u", properties.get("portcullis.gateway.store.db-user"));
        assertEquals(dir.resolve("password").toString(), properties.get("portcullis.gateway.store.db-password-file"));
        assertEquals("3s", properties.get("portcullis.gateway.runs.lease"));
        assertFalse(properties.values().stream().anyMatch(value -> value.toString().contains("secret")));
    }

    @Test
    void aDatabaseIsRefusedForTheServicesThatHaveNone() {
        Path data = DevMode.prepare(dir.resolve("data"), Clock.systemUTC()).dataDir();

        CommandLine.ParameterException refused = assertThrows(CommandLine.ParameterException.class, () -> parse("policy", "--data-dir",
                data.toString(), "--jdbc-url", "jdbc:postgresql://127.0.0.1/db").configuration());

        assertTrue(refused.getMessage().contains("gateway, executor and audit only"), refused.getMessage());
    }

    @Test
    void anUnpreparedDataDirectoryIsRefusedNamingWhatToRun() {
        StringWriter err = new StringWriter();
        CommandLine line = Portcullis.commandLine();
        line.setErr(new PrintWriter(err));

        int status = line.execute("dev", "serve", "policy", "--data-dir", dir.resolve("empty").toString());

        assertEquals(ExitStatus.USAGE.code(), status, err.toString());
        assertTrue(err.toString().contains("not a prepared dev data directory"), err.toString());
    }

    @Test
    void aDirectoryADevModeHoldsIsRefusedNamingItBeforeAnyServiceStarts() throws Exception {
        Path data = DevMode.prepare(dir.resolve("data"), Clock.systemUTC()).dataDir();
        CliRun cli = new CliRun();
        try (DataDirectoryLock dev = DataDirectoryLock.acquire(data, Clock.systemUTC())) {

            int status = cli.execute("dev", "serve", "policy", "--data-dir", data.toString(),
                    "--base-port", Integer.toString(freeBasePort()));

            assertEquals(ExitStatus.ERROR.code(), status, cli.err());
            assertTrue(cli.err().contains(data + " is in use by portcullis dev (pid " + ProcessHandle.current().pid()
                    + ", started "), cli.err());
            assertFalse(cli.out().contains("serving on"), cli.out());
            cli.assertNoStackTrace();
        }
    }

    @Test
    void aServiceStartedFromItsServeConfigurationAnswersHealthOnItsDevPort() throws Exception {
        DevMode.Prepared prepared = DevMode.prepare(dir.resolve("data"), Clock.systemUTC());
        int base = freeBasePort();

        Map<String, Object> properties = parse("policy", "--data-dir", prepared.dataDir().toString(), "--base-port",
                Integer.toString(base)).configuration();

        try (RunningService policy = ServiceLauncher.start("policy", properties, false)) {
            assertEquals(base + 1, policy.port());
            ManagedChannel channel = io.grpc.Grpc.newChannelBuilder("localhost:" + policy.port(),
                    new dev.portcullis.cli.call.ClientEnvironment(Map.of(
                            "PORTCULLIS_CA_FILE", prepared.pki().caFile().toString(),
                            "PORTCULLIS_CERT_FILE", prepared.pki().certFile("gateway").toString(),
                            "PORTCULLIS_KEY_FILE", prepared.pki().keyFile("gateway").toString())).credentials()).build();
            try {
                assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
            } finally {
                channel.shutdownNow();
            }
        }
    }

    /** A base port whose policy port (base + 1) was free a moment ago. */
    private static int freeBasePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort() - 1;
        }
    }
}
