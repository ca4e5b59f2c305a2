package dev.portcullis.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.transport.ServiceServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The invariants of every manifest the chart renders, in every rendered values set. */
class RenderedChartTest {
    static final List<String> SERVICES = List.of("gateway", "policy", "executor", "audit");
    private static final String IRSA = "eks.amazonaws.com/role-arn";

    static Stream<RenderedChart> renderings() {
        return RenderedChart.all().stream();
    }

    @Test
    void everyValuesSetIsRendered() {
        Set<String> rendered = RenderedChart.all().stream().map(RenderedChart::name).collect(Collectors.toSet());

        assertEquals(Set.of("example", "spiffe-gitsync"), rendered);
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void renderingIsCurrentWithTheChartSources(RenderedChart chart) {
        assertEquals(RenderedChart.currentDigest(), chart.recordedDigest(),
                "rendered/" + chart.name() + ".yaml is stale: run deploy/helm/render after changing the chart");
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void eachServiceHasOneWorkloadServiceAndDisruptionBudget(RenderedChart chart) {
        for (String service : SERVICES) {
            Map<String, Object> deployment = chart.workload(service).orElseThrow(
                    () -> new AssertionError(chart + ": no Deployment or StatefulSet for " + service));
            Map<String, Object> podLabels = Yaml.map(deployment, "spec", "template", "metadata", "labels");
            assertTrue(chart.ofKind("Service").stream().anyMatch(s -> selects(Yaml.map(s, "spec", "selector"), podLabels)),
                    chart + ": no Service selects " + service);
            assertTrue(chart.ofKind("PodDisruptionBudget").stream()
                            .anyMatch(p -> selects(Yaml.map(p, "spec", "selector", "matchLabels"), podLabels)),
                    chart + ": no PodDisruptionBudget covers " + service);
        }
        // and the web console's StatefulSet where it is enabled (ConsoleChartTest)
        assertEquals(SERVICES.size() + (chart.workload("console").isPresent() ? 1 : 0), chart.workloads().size());
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyContainerIsRestrictedNonRootWithReadOnlyRootAndLimits(RenderedChart chart) {
        List<String> checked = new ArrayList<>();
        for (Map<String, Object> deployment : chart.workloads()) {
            Map<String, Object> pod = Yaml.map(deployment, "spec", "template", "spec");
            assertEquals(true, Yaml.at(pod, "securityContext", "runAsNonRoot"), chart + " " + name(deployment));
            assertEquals("RuntimeDefault", Yaml.string(pod, "securityContext", "seccompProfile", "type"));
            assertNotEquals(true, Yaml.at(pod, "hostNetwork"));
            assertNotEquals(true, Yaml.at(pod, "hostPID"));
            for (Map<String, Object> container : containers(pod)) {
                String where = chart + " " + name(deployment) + "/" + container.get("name");
                Map<String, Object> security = Yaml.map(container, "securityContext");
                assertEquals(true, security.get("runAsNonRoot"), where + " runAsNonRoot");
                assertTrue(security.get("runAsUser") instanceof Number uid && uid.longValue() > 0, where + " runAsUser");
                assertEquals(true, security.get("readOnlyRootFilesystem"), where + " readOnlyRootFilesystem");
                assertEquals(false, security.get("allowPrivilegeEscalation"), where + " allowPrivilegeEscalation");
                assertNotEquals(true, security.get("privileged"), where + " privileged");
                assertEquals(List.of("ALL"), Yaml.list(security, "capabilities", "drop"), where + " capabilities");
                assertTrue(Yaml.list(security, "capabilities", "add").isEmpty(), where + " adds capabilities");
                assertEquals("RuntimeDefault", Yaml.string(security, "seccompProfile", "type"), where + " seccomp");
                for (String resource : List.of("cpu", "memory")) {
                    assertFalse(Yaml.string(container, "resources", "limits", resource).isEmpty(), where + " limits." + resource);
                    assertFalse(Yaml.string(container, "resources", "requests", resource).isEmpty(), where + " requests." + resource);
                }
                checked.add(where);
            }
        }
        assertTrue(checked.size() >= SERVICES.size(), "no containers were checked");
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyServiceServesMetricsOnItsAnnotatedPortToTheConfiguredScrapersAlone(RenderedChart chart) {
        for (String service : SERVICES) {
            Map<String, Object> deployment = chart.workload(service).orElseThrow();
            Map<String, Object> container = containers(Yaml.map(deployment, "spec", "template", "spec")).stream()
                    .filter(c -> service.equals(c.get("name"))).findFirst().orElseThrow();
            Map<String, String> properties = ServiceProperties.of(chart, service);
            String metricsPort = properties.get("portcullis.telemetry.prometheus-port");
            Map<String, Object> annotations = Yaml.map(deployment, "spec", "template", "metadata", "annotations");
            String where = chart + " " + service;

            assertEquals("0.0.0.0", properties.get("portcullis.telemetry.prometheus-host"), where);
            assertEquals(metricsPort, Yaml.string(annotations, "prometheus.io/port"), where);
            assertEquals("true", Yaml.string(annotations, "prometheus.io/scrape"), where);
            assertEquals("/metrics", Yaml.string(annotations, "prometheus.io/path"), where);
            assertTrue(Yaml.maps(container, "ports").stream().anyMatch(p -> "metrics".equals(Yaml.string(p, "name"))
                    && metricsPort.equals(Yaml.string(p, "containerPort"))), where);
            // plain HTTP: open only to networkPolicy.metricsFrom, never to every source
            List<Map<String, Object>> scrapers = ingressPeers(chart, service, metricsPort);
            assertTrue(scrapers.stream().noneMatch(peer -> peer.containsKey("everyone")), where + ": " + scrapers);
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyServiceIsProbedOverGrpcOnItsConfiguredHealthPort(RenderedChart chart) {
        for (String service : SERVICES) {
            Map<String, Object> deployment = chart.workload(service).orElseThrow();
            Map<String, Object> container = containers(Yaml.map(deployment, "spec", "template", "spec")).stream()
                    .filter(c -> service.equals(c.get("name"))).findFirst().orElseThrow();
            String healthPort = ServiceProperties.of(chart, service).get("portcullis.server.health-port");
            String grpcPort = ServiceProperties.of(chart, service).get("portcullis.server.port");
            assertNotEquals(grpcPort, healthPort, chart + " " + service + ": the probe port must not be the mTLS port");
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                assertEquals(healthPort, Yaml.string(container, probe, "grpc", "port"), chart + " " + service + " " + probe);
            }
            // readiness is the service's own status; liveness and startup only that the process serves
            assertEquals("portcullis.v1." + Character.toUpperCase(service.charAt(0)) + service.substring(1) + "Service",
                    Yaml.string(container, "readinessProbe", "grpc", "service"), chart + " " + service);
            for (String probe : List.of("startupProbe", "livenessProbe")) {
                assertEquals(ServiceServer.LIVENESS, Yaml.string(container, probe, "grpc", "service"), chart + " " + service + " " + probe);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void onlyTheExecutorAndTheAuditServiceCarryACloudRole(RenderedChart chart) {
        for (Map<String, Object> account : chart.ofKind("ServiceAccount")) {
            boolean mayHaveRole = Set.of("portcullis-executor", "portcullis-audit").contains(name(account));
            if (!mayHaveRole) {
                assertFalse(Yaml.map(account, "metadata", "annotations").containsKey(IRSA), name(account));
            }
            assertEquals(false, account.get("automountServiceAccountToken"), name(account) + " mounts an API token");
        }
        for (Map<String, Object> deployment : chart.workloads()) {
            Map<String, Object> pod = Yaml.map(deployment, "spec", "template", "spec");
            assertEquals(false, pod.get("automountServiceAccountToken"), name(deployment));
            assertEquals(name(deployment), Yaml.string(pod, "serviceAccountName"), name(deployment) + " uses another account");
            String everything = String.valueOf(pod);
            assertFalse(everything.contains("AWS_ACCESS_KEY_ID") || everything.contains("AWS_SECRET_ACCESS_KEY"),
                    name(deployment) + " carries static AWS credentials");
        }
        assertTrue(Yaml.string(chart.named("ServiceAccount", "portcullis-executor").orElseThrow(),
                "metadata", "annotations", IRSA).startsWith("arn:aws:iam::"));
    }

    @Test
    void theAuditServiceAccountNamesTheWitnessRoleOnlyWhereTheValuesGiveOne() {
        Map<String, Object> withRole = RenderedChart.named("example").named("ServiceAccount", "portcullis-audit").orElseThrow();
        Map<String, Object> without = RenderedChart.named("spiffe-gitsync").named("ServiceAccount", "portcullis-audit")
                .orElseThrow();

        assertEquals("arn:aws:iam::210987654321:role/portcullis-audit-witness",
                Yaml.string(withRole, "metadata", "annotations", IRSA));
        assertFalse(Yaml.map(without, "metadata", "annotations").containsKey(IRSA));
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void defaultDenySelectsEveryPodBothWays(RenderedChart chart) {
        Map<String, Object> deny = chart.ofKind("NetworkPolicy").stream()
                .filter(p -> Yaml.list(p, "spec", "ingress").isEmpty() && Yaml.list(p, "spec", "egress").isEmpty())
                .findFirst().orElseThrow(() -> new AssertionError(chart + ": no default-deny policy"));

        assertEquals(Set.of("Ingress", "Egress"), Set.copyOf(Yaml.strings(deny, "spec", "policyTypes")));
        for (Map<String, Object> deployment : chart.workloads()) {
            assertTrue(selects(Yaml.map(deny, "spec", "podSelector", "matchLabels"), podLabels(deployment)), name(deployment));
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyServiceHasItsOwnNetworkPolicy(RenderedChart chart) {
        for (String service : SERVICES) {
            assertFalse(policiesFor(chart, service).isEmpty(), chart + ": no policy allows traffic of " + service);
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void onlyTheGatewayReachesPolicyAndExecutor(RenderedChart chart) {
        for (String service : List.of("policy", "executor")) {
            List<Map<String, Object>> peers = ingressPeers(chart, service, grpcPort(chart));

            assertFalse(peers.isEmpty(), service);
            for (Map<String, Object> peer : peers) {
                assertEquals(Set.of("gateway"), componentsSelectedBy(chart, peer), chart + " " + service + " admits " + peer);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void onlyTheSuiteAndNamedAuditorSourcesReachAudit(RenderedChart chart) {
        List<Map<String, Object>> peers = ingressPeers(chart, "audit", grpcPort(chart));
        Set<String> suite = new java.util.HashSet<>();

        for (Map<String, Object> peer : peers) {
            if (peer.containsKey("podSelector") && !peer.containsKey("namespaceSelector")) {
                suite.addAll(componentsSelectedBy(chart, peer));
            } else {
                // an auditors' source: a namespace (or address block) the values name, never "anyone"
                assertFalse(Yaml.map(peer, "namespaceSelector").isEmpty() && !peer.containsKey("ipBlock"),
                        chart + ": audit admits every namespace");
            }
        }
        assertEquals(Set.of("gateway", "policy", "executor"), suite, chart + ": audit ingestion sources");
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void noIngressRuleOfPolicyExecutorOrAuditIsOpenToAll(RenderedChart chart) {
        for (String service : List.of("policy", "executor", "audit")) {
            for (Map<String, Object> policy : policiesFor(chart, service)) {
                for (Map<String, Object> rule : Yaml.maps(policy, "spec", "ingress")) {
                    assertFalse(Yaml.list(rule, "from").isEmpty(), chart + " " + name(policy) + " has an ingress rule open to all");
                }
            }
        }
    }

    static List<Map<String, Object>> containers(Map<String, Object> pod) {
        List<Map<String, Object>> all = new ArrayList<>(Yaml.maps(pod, "containers"));
        all.addAll(Yaml.maps(pod, "initContainers"));
        return all;
    }

    private static String grpcPort(RenderedChart chart) {
        return ServiceProperties.of(chart, "policy").get("portcullis.server.port");
    }

    private static List<Map<String, Object>> policiesFor(RenderedChart chart, String service) {
        Map<String, Object> labels = podLabels(chart.workload(service).orElseThrow());
        return chart.ofKind("NetworkPolicy").stream()
                .filter(p -> !Yaml.list(p, "spec", "ingress").isEmpty() || !Yaml.list(p, "spec", "egress").isEmpty())
                .filter(p -> selects(Yaml.map(p, "spec", "podSelector", "matchLabels"), labels))
                .toList();
    }

    /** Every peer any policy admits to {@code service} on {@code port}. */
    private static List<Map<String, Object>> ingressPeers(RenderedChart chart, String service, String port) {
        List<Map<String, Object>> peers = new ArrayList<>();
        for (Map<String, Object> policy : policiesFor(chart, service)) {
            for (Map<String, Object> rule : Yaml.maps(policy, "spec", "ingress")) {
                boolean onPort = Yaml.maps(rule, "ports").isEmpty()
                        || Yaml.maps(rule, "ports").stream().anyMatch(p -> port.equals(Yaml.string(p, "port")));
                if (onPort) {
                    if (Yaml.list(rule, "from").isEmpty()) {
                        peers.add(Map.of("everyone", true));
                    }
                    peers.addAll(Yaml.maps(rule, "from"));
                }
            }
        }
        return peers;
    }

    /** The services whose pods a pod-selector peer selects (empty for other peers). */
    private static Set<String> componentsSelectedBy(RenderedChart chart, Map<String, Object> peer) {
        if (!peer.containsKey("podSelector") || peer.containsKey("namespaceSelector") || peer.containsKey("ipBlock")) {
            return Set.of("<not a pod of this release: " + peer + ">");
        }
        Map<String, Object> selector = Yaml.map(peer, "podSelector", "matchLabels");
        return SERVICES.stream()
                .filter(s -> selects(selector, podLabels(chart.workload(s).orElseThrow())))
                .collect(Collectors.toSet());
    }

    static Map<String, Object> podLabels(Map<String, Object> deployment) {
        return Yaml.map(deployment, "spec", "template", "metadata", "labels");
    }

    /** Whether a non-empty matchLabels selector selects {@code labels}. */
    static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        return !selector.isEmpty() && selector.entrySet().stream()
                .allMatch(e -> String.valueOf(e.getValue()).equals(String.valueOf(labels.get(e.getKey()))));
    }

    static String name(Map<String, Object> object) {
        return Yaml.string(object, "metadata", "name");
    }
}
