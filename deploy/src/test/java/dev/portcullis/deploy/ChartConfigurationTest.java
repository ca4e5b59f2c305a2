package dev.portcullis.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.server.AuditConfig;
import dev.portcullis.audit.server.S3WitnessConfig;
import dev.portcullis.audit.server.WitnessesConfig;
import dev.portcullis.executor.artifact.ArtifactsConfig;
import dev.portcullis.executor.backend.ecs.EcsConfig;
import dev.portcullis.executor.repo.GitConfig;
import dev.portcullis.executor.secret.VaultConfig;
import dev.portcullis.executor.server.ExecutorConfig;
import dev.portcullis.gateway.server.GatewayConfig;
import dev.portcullis.gateway.server.RunsConfig;
import dev.portcullis.gateway.server.StoreConfig;
import dev.portcullis.policy.server.PolicyConfig;
import dev.portcullis.runtime.audit.AuditClientConfig;
import dev.portcullis.runtime.oidc.OidcDelegatesConfig;
import dev.portcullis.runtime.outbox.OutboxConfig;
import dev.portcullis.runtime.role.RolesConfig;
import dev.portcullis.runtime.telemetry.TelemetryConfig;
import dev.portcullis.runtime.testing.ConfigBinding;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.TlsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The settings the chart writes are the services' real settings: every key is documented, and
 * each service's file binds into that service's own configuration records without an error.
 */
class ChartConfigurationTest {
    private static final Pattern DOCUMENTED_KEY = Pattern.compile("(?m)^\\| `(portcullis\\.[A-Za-z0-9.-]+)`");

    static Stream<RenderedChart> renderings() {
        return RenderedChart.all().stream();
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyKeyTheChartSetsIsDocumented(RenderedChart chart) throws IOException {
        Set<String> documented = documentedKeys();

        List<String> services = new java.util.ArrayList<>(RenderedChartTest.SERVICES);
        if (chart.workload("console").isPresent()) {
            services.add("console");
        }
        for (String service : services) {
            for (String key : ServiceProperties.of(chart, service).keySet()) {
                // an issuer's keys are documented once, with NAME for its name
                String documentedForm = key.replaceFirst("^portcullis\\.oidc\\.issuers\\.[A-Za-z0-9_-]+\\.",
                        "portcullis.oidc.issuers.NAME.");
                assertTrue(documented.contains(documentedForm), chart + " " + service + ": " + key + " is not a documented setting");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyServiceFileBindsIntoItsConfigurationRecords(RenderedChart chart) {
        Map<String, List<Class<?>>> records = Map.of(
                "gateway", List.of(GatewayConfig.class, StoreConfig.class, RunsConfig.class, AuditClientConfig.class, OutboxConfig.class,
                        OidcDelegatesConfig.class),
                "policy", List.of(PolicyConfig.class, AuditClientConfig.class, OutboxConfig.class),
                "executor", List.of(ExecutorConfig.class, ArtifactsConfig.class, VaultConfig.class, GitConfig.class, AuditClientConfig.class,
                        OutboxConfig.class),
                "audit", List.of(AuditConfig.class, WitnessesConfig.class, S3WitnessConfig.class, OidcDelegatesConfig.class));
        for (String service : RenderedChartTest.SERVICES) {
            Map<String, Object> properties = new HashMap<>(ServiceProperties.of(chart, service));
            for (Class<?> type : Stream.concat(Stream.of(ServerConfig.class, TlsConfig.class, RolesConfig.class,
                    TelemetryConfig.class),
                    records.get(service).stream()).toList()) {
                assertFalse(ConfigBinding.bind(type, properties) == null, service + " " + type.getSimpleName());
            }
            if (properties.containsKey("portcullis.executor.ecs.cluster")) {
                ConfigBinding.bind(EcsConfig.class, properties);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void theEcsSettingsSelectTheEcsBackendWithPlanArtifactsInS3AndTheirAbsenceTheLocalOne(RenderedChart chart) {
        Map<String, Object> properties = new HashMap<>(ServiceProperties.of(chart, "executor"));
        ExecutorConfig executor = ConfigBinding.bind(ExecutorConfig.class, properties);
        ArtifactsConfig artifacts = ConfigBinding.bind(ArtifactsConfig.class, properties);

        if (properties.containsKey("portcullis.executor.ecs.cluster")) {
            assertEquals(ExecutorConfig.Backend.ECS, executor.backendKind(), chart.toString());
            assertTrue(artifacts.usesS3(), chart + ": the ECS backend without an S3 bucket refuses to start");
            assertEquals(ConfigBinding.bind(EcsConfig.class, properties).region(), artifacts.s3Region(), chart.toString());
        } else {
            assertEquals(ExecutorConfig.Backend.LOCAL, executor.backendKind(), chart.toString());
            assertFalse(properties.containsKey("portcullis.executor.artifacts.dir"), chart.toString());
        }
    }

    @Test
    void theEcsExampleRunsTasksOnEcsWithArtifactsInTheTerraformBucketAndTheOtherLocally() {
        Map<String, String> ecs = ServiceProperties.of(RenderedChart.named("example"), "executor");
        Map<String, String> local = ServiceProperties.of(RenderedChart.named("spiffe-gitsync"), "executor");

        assertEquals("ecs", ecs.get("portcullis.executor.backend"));
        assertEquals("portcullis-artifacts-123456789012-eu-central-1", ecs.get("portcullis.executor.artifacts.s3-bucket"));
        assertEquals("portcullis/artifacts/", ecs.get("portcullis.executor.artifacts.s3-prefix"));
        assertEquals("eu-central-1", ecs.get("portcullis.executor.artifacts.s3-region"));
        assertEquals("local", local.get("portcullis.executor.backend"));
        assertFalse(local.keySet().stream().anyMatch(k -> k.startsWith("portcullis.executor.artifacts.")
                || k.startsWith("portcullis.executor.ecs.")), local.toString());
    }

    @Test
    void theExecutorReadsTheRunnersGitTokenFromAMountedSecretFileNeverFromItsEnvironment() {
        RenderedChart chart = RenderedChart.named("example");
        GitConfig git = ConfigBinding.bind(GitConfig.class, new HashMap<>(ServiceProperties.of(chart, "executor")));
        Map<String, Object> pod = Yaml.map(chart.named("Deployment", "portcullis-executor").orElseThrow(), "spec", "template",
                "spec");

        assertEquals(java.util.Optional.of(java.nio.file.Path.of("/var/run/portcullis/repo-git/token")), git.token());
        Map<String, Object> volume = Yaml.maps(pod, "volumes").stream().filter(v -> "repo-git".equals(v.get("name")))
                .findFirst().orElseThrow();
        assertEquals("portcullis-repo-git", Yaml.string(volume, "secret", "secretName"));
        Map<String, Object> executor = Yaml.maps(pod, "containers").stream()
                .filter(c -> "executor".equals(c.get("name"))).findFirst().orElseThrow();
        assertTrue(Yaml.maps(executor, "volumeMounts").stream().anyMatch(m -> "repo-git".equals(m.get("name"))
                && "/var/run/portcullis/repo-git".equals(m.get("mountPath")) && !m.containsKey("subPath")),
                "the token must be a whole-directory mount, which the kubelet updates on rotation");
        assertFalse(Yaml.maps(executor, "env").stream().anyMatch(e -> String.valueOf(e).contains("repo-git")),
                "the token must never be an environment variable");
    }

    @Test
    void withoutWitnessesTheChartWritesNoWitnessSettingMountsNoWitnessCaAndOpensNoWitnessEgress() {
        RenderedChart chart = RenderedChart.named("spiffe-gitsync");
        Map<String, String> properties = ServiceProperties.of(chart, "audit");
        Map<String, Object> pod = auditPod(chart);

        assertFalse(properties.keySet().stream().anyMatch(k -> k.startsWith("portcullis.audit.witnesses.")), properties.toString());
        assertTrue(ConfigBinding.bind(WitnessesConfig.class, new HashMap<>(properties)).webhooks().isEmpty());
        assertFalse(ConfigBinding.bind(S3WitnessConfig.class, new HashMap<>(properties)).enabled());
        assertFalse(String.valueOf(pod).contains("witness"), "the audit pod must carry nothing of witnesses: " + pod);
        assertEquals(Set.of(5432), auditEgressPorts(chart), "only DNS, the suite and the database");
    }

    @Test
    void witnessUrlsCaSecretAndS3BucketBecomeTheAuditServicesWitnessSettingsWithTheCaFileMounted() {
        RenderedChart chart = RenderedChart.named("example");
        Map<String, Object> properties = new HashMap<>(ServiceProperties.of(chart, "audit"));
        Map<String, Object> pod = auditPod(chart);

        WitnessesConfig witnesses = ConfigBinding.bind(WitnessesConfig.class, properties);
        assertEquals(List.of("https://witness.example.net/portcullis"), witnesses.webhookUrls());
        assertEquals(Path.of("/var/run/portcullis/witness-ca/ca.crt"), witnesses.caFile());
        S3WitnessConfig s3 = ConfigBinding.bind(S3WitnessConfig.class, properties);
        assertEquals("portcullis-checkpoints-210987654321-eu-central-1", s3.bucket());
        assertEquals("prod/", s3.prefix());
        assertEquals("eu-central-1", s3.region());
        Map<String, Object> volume = Yaml.maps(pod, "volumes").stream().filter(v -> "witness-ca".equals(v.get("name")))
                .findFirst().orElseThrow();
        assertEquals("portcullis-witness-ca", Yaml.string(volume, "secret", "secretName"));
        assertEquals(List.of("ca.crt"), Yaml.maps(volume, "secret", "items").stream().map(i -> Yaml.string(i, "path")).toList());
        Map<String, Object> audit = Yaml.maps(pod, "containers").stream().filter(c -> "audit".equals(c.get("name")))
                .findFirst().orElseThrow();
        assertTrue(Yaml.maps(audit, "volumeMounts").stream().anyMatch(m -> "witness-ca".equals(m.get("name"))
                && "/var/run/portcullis/witness-ca".equals(m.get("mountPath")) && Boolean.TRUE.equals(m.get("readOnly"))),
                String.valueOf(Yaml.maps(audit, "volumeMounts")));
        assertTrue(auditEgressPorts(chart).contains(443), "the witnesses are reached over HTTPS");
    }

    private static Map<String, Object> auditPod(RenderedChart chart) {
        return Yaml.map(chart.named("Deployment", "portcullis-audit").orElseThrow(), "spec", "template", "spec");
    }

    /** The ports the audit service's policy opens to ipBlock peers (outside the cluster). */
    private static Set<Integer> auditEgressPorts(RenderedChart chart) {
        return Yaml.maps(chart.named("NetworkPolicy", "portcullis-audit").orElseThrow(), "spec", "egress").stream()
                .filter(rule -> Yaml.maps(rule, "to").stream().anyMatch(peer -> peer.containsKey("ipBlock")))
                .flatMap(rule -> Yaml.maps(rule, "ports").stream())
                .map(port -> Integer.valueOf(Yaml.string(port, "port")))
                .collect(Collectors.toSet());
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyGatewayReplicaUsesTheSharedPostgresqlDatabaseWithItsPasswordFromAMountedSecret(RenderedChart chart) {
        StoreConfig store = ConfigBinding.bind(StoreConfig.class, new HashMap<>(ServiceProperties.of(chart, "gateway")));

        assertTrue(store.effectiveJdbcUrl().startsWith("jdbc:postgresql://"), store.effectiveJdbcUrl());
        assertEquals(java.nio.file.Path.of("/var/run/portcullis/db/password"), store.dbPasswordFile());
        assertTrue(store.dataDir().startsWith("/tmp"), "the data dir must be on a writable volume: " + store.dataDir());
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void theSuiteCallsItselfByServiceNamesOnTheMutualTlsPort(RenderedChart chart) {
        Map<String, String> gateway = ServiceProperties.of(chart, "gateway");
        String port = gateway.get("portcullis.server.port");

        assertEquals("portcullis-policy:" + port, gateway.get("portcullis.gateway.policy-address"));
        assertEquals("portcullis-executor:" + port, gateway.get("portcullis.gateway.executor-address"));
        assertEquals("portcullis-audit:" + port, gateway.get("portcullis.gateway.audit-address"));
        // the gateway's outbox ships over its audit-address; the others' over audit-client.address
        for (String service : List.of("policy", "executor")) {
            assertEquals("portcullis-audit:" + port, ServiceProperties.of(chart, service).get("portcullis.audit-client.address"));
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void policyAndExecutorGrantTheGatewayRoleToTheGatewayIdentityAlone(RenderedChart chart) {
        for (String service : List.of("policy", "executor")) {
            String gateway = ServiceProperties.of(chart, service).get("portcullis.roles.gateway");

            assertTrue(gateway.matches("spiffe://[a-z0-9.-]+/service/gateway"), service + ": " + gateway);
        }
        assertEquals(3, ServiceProperties.of(chart, "audit").get("portcullis.roles.service").split(",").length);
    }

    private static Set<String> documentedKeys() throws IOException {
        String documentation = Files.readString(Path.of("..", "docs", "configuration.md"), UTF_8)
                + Files.readString(Path.of("..", "docs", "console.md"), UTF_8)
                + Files.readString(Path.of("README.md"), UTF_8);
        Matcher matcher = DOCUMENTED_KEY.matcher(documentation);
        return matcher.results().map(m -> m.group(1)).collect(Collectors.toSet());
    }
}
