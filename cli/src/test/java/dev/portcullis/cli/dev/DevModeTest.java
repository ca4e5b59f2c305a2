package dev.portcullis.cli.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.call.ClientEnvironment;
import dev.portcullis.cli.health.HealthCommand;
import dev.portcullis.gateway.server.Neighbours;
import dev.portcullis.v1.DecisionOutcome;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.EvaluateResponse;
import dev.portcullis.v1.PolicyServiceGrpc;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.nio.file.Files;
import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.Command;
import dev.portcullis.catalog.PlanSummaryTool;
import dev.portcullis.runtime.request.CatalogName;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Dev mode: the whole suite in one JVM, reachable with the dev CI certificate. */
class DevModeTest {
    @TempDir
    Path dir;

    @Test
    void everyServiceAnswersServingOverMtlsWithTheDevCiCertificate() throws Exception {
        try (DevMode dev = DevMode.start(DevModeOptions.in(dir.resolve("data")))) {
            StringWriter out = new StringWriter();
            HealthCommand health = new HealthCommand();
            new CommandLine(health).parseArgs();

            int status = health.check(new ClientEnvironment(readEnv(dev.envFile())), new PrintWriter(out));

            assertEquals(0, status, out.toString());
            assertEquals(4, out.toString().lines().filter(line -> line.endsWith(" SERVING")).count(), out.toString());
        }
    }

    @Test
    void withTerraformOnPathTheDevCatalogRunsInitPlanAndApplyStepsWithASummary() throws Exception {
        DevMode.Prepared prepared = DevMode.prepare(dir.resolve("data"), java.time.Clock.systemUTC(),
                Optional.of(new DemoTool("terraform", Path.of("/usr/local/bin/terraform"))));

        Catalog catalog = new CatalogLoader().load("catalog.yaml", Files.readAllBytes(prepared.catalog()));

        Command plan = catalog.command(new CatalogName("plan")).orElseThrow();
        assertEquals(List.of("terraform", "init"), plan.steps().get(0).argv().subList(0, 2));
        assertTrue(plan.steps().get(1).detailedExitcode());
        assertEquals(PlanSummaryTool.TERRAFORM, plan.summary());
        assertTrue(plan.steps().get(0).argv().get(4).contains(prepared.dataDir().resolve("terraform-state").toString()));
        assertTrue(prepared.demoStatus().contains("real terraform"), prepared.demoStatus());
    }

    @Test
    void envFileNamesTheAddressesAndTheDevCiIdentity() throws Exception {
        try (DevMode dev = DevMode.start(DevModeOptions.in(dir.resolve("data")))) {
            Map<String, String> env = readEnv(dev.envFile());

            assertEquals("localhost:" + dev.ports().get("gateway"), env.get("PORTCULLIS_GATEWAY_ADDR"));
            assertEquals("localhost:" + dev.ports().get("audit"), env.get("PORTCULLIS_AUDIT_ADDR"));
            assertEquals(dev.pki().certFile("ci").toAbsolutePath().toString(), env.get("PORTCULLIS_CERT_FILE"));
            assertEquals(dev.pki().keyFile("ci").toAbsolutePath().toString(), env.get("PORTCULLIS_KEY_FILE"));
            assertEquals(dev.pki().caFile().toAbsolutePath().toString(), env.get("PORTCULLIS_CA_FILE"));
        }
    }

    @Test
    void gatewayCallsThePolicyServiceWithItsOwnIdentity() {
        try (DevMode dev = DevMode.start(DevModeOptions.in(dir.resolve("data")))) {
            Neighbours neighbours = dev.service("gateway").context().getBean(Neighbours.class);

            EvaluateResponse response = PolicyServiceGrpc.newBlockingStub(neighbours.policy())
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .evaluate(EvaluateRequest.newBuilder()
                            .setCaller("spiffe://portcullis.dev/ci/dev/example")
                            .setRepo("example")
                            .setCommitSha("0123456789abcdef0123456789abcdef01234567")
                            .setRef("refs/heads/main")
                            .setFolder("stage/app")
                            .setEnvironment("stage")
                            .setCommand("plan")
                            .build());

            // the gateway's identity is the policy service's one caller, and the dev catalog allows this plan
            assertEquals(DecisionOutcome.DECISION_OUTCOME_ALLOW, response.getDecision().getOutcome(),
                    response.getDecision().getReasonsList().toString());
        }
    }

    @Test
    void ciIdentityCannotCallThePolicyServiceDirectly() throws Exception {
        try (DevMode dev = DevMode.start(DevModeOptions.in(dir.resolve("data")))) {
            ClientEnvironment env = new ClientEnvironment(readEnv(dev.envFile()));
            ManagedChannel channel = Grpc.newChannelBuilder(env.address("policy").orElseThrow(), env.credentials()).build();
            try {
                StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                        () -> PolicyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                                .evaluate(EvaluateRequest.getDefaultInstance()));

                assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Test
    void theDevConsoleCertificateAloneIsRefusedByTheGatewayAndTheAuditService() throws Exception {
        try (DevMode dev = DevMode.start(DevModeOptions.in(dir.resolve("data")))) {
            Map<String, String> variables = new HashMap<>(readEnv(dev.envFile()));
            variables.put("PORTCULLIS_CERT_FILE", dev.pki().certFile("console").toString());
            variables.put("PORTCULLIS_KEY_FILE", dev.pki().keyFile("console").toString());
            ClientEnvironment env = new ClientEnvironment(variables);
            for (String service : List.of("gateway", "audit")) {
                ManagedChannel channel = Grpc.newChannelBuilder(env.address(service).orElseThrow(), env.credentials()).build();
                try {
                    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                            () -> io.grpc.health.v1.HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                                    .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance()));

                    // the console is a delegate: without a signed-in person's token it may do nothing
                    assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), service);
                    assertTrue(String.valueOf(e.getStatus().getDescription()).contains("identity token"), service);
                } finally {
                    channel.shutdownNow();
                }
            }
        }
    }

    @Test
    void aRestartKeepsTheDevPki() throws Exception {
        Path data = dir.resolve("data");
        try (DevMode first = DevMode.start(DevModeOptions.in(data))) {
            assertTrue(Files.exists(first.pki().caFile()));
        }
        String ca = Files.readString(data.resolve("pki/ca.pem"));

        try (DevMode second = DevMode.start(DevModeOptions.in(data))) {
            assertEquals(ca, Files.readString(second.pki().caFile()));
        }
    }

    @Test
    void firstStartWritesTheDemoCatalogAndRepositoryAndARestartKeepsBoth() throws Exception {
        Path data = dir.resolve("data");
        String catalog;
        try (DevMode first = DevMode.start(DevModeOptions.in(data))) {
            catalog = Files.readString(first.catalogFile());
            var loaded = new dev.portcullis.catalog.CatalogLoader().load("catalog.yaml", catalog.getBytes());
            var plan = loaded.command(new dev.portcullis.runtime.request.CatalogName("plan")).orElseThrow();
            assertEquals(java.util.List.of("sh", "plan.sh", "${environment}"), plan.argv());
            assertEquals("plan.out", plan.produces());
            assertTrue(loaded.command(new dev.portcullis.runtime.request.CatalogName("apply")).orElseThrow().requiresPlan());
            assertTrue(catalog.contains("file://" + first.demoRepository().toAbsolutePath()), catalog);
            assertTrue(first.demoStatus().startsWith("created "), first.demoStatus());
        }
        Files.writeString(data.resolve("catalog.yaml"), catalog + "# edited\n");
        Files.writeString(data.resolve("repos/example/prod/app/desired.conf"), "replicas = 9\n");

        try (DevMode second = DevMode.start(DevModeOptions.in(data))) {
            assertEquals(catalog + "# edited\n", Files.readString(second.catalogFile()));
            assertEquals("replicas = 9\n", Files.readString(second.demoRepository().resolve("prod/app/desired.conf")));
            assertFalse(second.demoStatus().startsWith("created "), second.demoStatus());
        }
    }

    @Test
    void aPortInUseStopsStartUpNamingTheAddressAndLeavesNothingRunning() throws Exception {
        try (java.net.ServerSocket taken = portWithFreeNeighbours()) {
            int gatewayPort = taken.getLocalPort();
            RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> DevMode.start(DevModeOptions.in(dir.resolve("data")).withBasePort(gatewayPort)).close());

            assertTrue(e.getMessage().contains("port " + gatewayPort + " (gateway) is in use"), e.getMessage());
            // the services started before the gateway were stopped again: their ports are free
            try (java.net.ServerSocket audit = new java.net.ServerSocket(gatewayPort + 3, 1,
                    java.net.InetAddress.getLoopbackAddress())) {
                assertTrue(audit.isBound());
            }
        }
    }

    static Map<String, String> readEnv(Path file) throws java.io.IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int eq = line.indexOf('=');
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    /** A bound loopback port whose next three ports (the other services' in dev mode) are free now. */
    private static java.net.ServerSocket portWithFreeNeighbours() throws java.io.IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            java.net.ServerSocket candidate = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
            boolean free = candidate.getLocalPort() + 3 <= 65535;
            for (int offset = 1; free && offset <= 3; offset++) {
                try (java.net.ServerSocket probe = new java.net.ServerSocket(candidate.getLocalPort() + offset, 1,
                        java.net.InetAddress.getLoopbackAddress())) {
                    free = probe.isBound();
                } catch (java.io.IOException e) {
                    free = false;
                }
            }
            if (free) {
                return candidate;
            }
            candidate.close();
        }
        throw new IllegalStateException("no loopback port with three free neighbours");
    }
}
