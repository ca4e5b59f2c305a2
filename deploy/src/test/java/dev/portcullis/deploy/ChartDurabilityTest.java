package dev.portcullis.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No acknowledged record lives only on a pod's ephemeral disk, and losing one pod or node stops no
 * service: no {@code emptyDir} holds an audit outbox spool or executor state, the disk spools of
 * policy and of the web console (where it is enabled) are claims of each replica, every service
 * runs two or more replicas behind a disruption budget and is updated one pod at a time.
 */
class ChartDurabilityTest {
    private static final List<String> SERVICES = RenderedChartTest.SERVICES;

    static Stream<RenderedChart> renderings() {
        return RenderedChart.all().stream();
    }

    /** Each rendering with each workload that keeps its audit outbox in a disk spool: policy, and the console where enabled. */
    static Stream<Arguments> spooledWorkloads() {
        return RenderedChart.all().stream().flatMap(chart -> Stream.of("policy", "console")
                .filter(service -> chart.workload(service).isPresent()).map(service -> Arguments.of(chart, service)));
    }

    /** The four services, and the web console where the rendering enables it. */
    private static List<String> workloads(RenderedChart chart) {
        return chart.workload("console").isPresent() ? Stream.concat(SERVICES.stream(), Stream.of("console")).toList() : SERVICES;
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void noEmptyDirHoldsAnOutboxSpoolOrExecutorState(RenderedChart chart) {
        for (String service : workloads(chart)) {
            Map<String, Object> pod = Yaml.map(chart.workload(service).orElseThrow(), "spec", "template", "spec");
            Map<String, String> properties = ServiceProperties.of(chart, service);
            List<String> durable = Stream.of("portcullis.audit-outbox.spool-dir",
                    // the embedded database's directory is state only while no database is configured
                    properties.containsKey("portcullis.executor.store.jdbc-url") ? null : "portcullis.executor.store.data-dir")
                    .filter(key -> key != null).map(properties::get).filter(path -> path != null).toList();
            for (Map<String, Object> container : RenderedChartTest.containers(pod)) {
                for (Map<String, Object> mount : Yaml.maps(container, "volumeMounts")) {
                    String path = Yaml.string(mount, "mountPath");
                    if (!isEmptyDir(pod, Yaml.string(mount, "name"))) {
                        continue;
                    }
                    String where = chart + " " + service + "/" + container.get("name") + " emptyDir at " + path;
                    for (String state : durable) {
                        assertFalse(state.equals(path) || state.startsWith(path + "/"), where + " holds " + state);
                    }
                    assertFalse(path.contains("outbox"), where);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void servicesWithADatabaseKeepTheirAuditOutboxAndStateInItAndHaveNoSpool(RenderedChart chart) {
        for (String service : List.of("gateway", "executor")) {
            Map<String, String> properties = ServiceProperties.of(chart, service);
            String where = chart + " " + service;

            assertFalse(properties.containsKey("portcullis.audit-outbox.spool-dir"), where + " has a disk spool");
            assertTrue(properties.getOrDefault("portcullis." + service + ".store.jdbc-url", "").startsWith("jdbc:postgresql://"),
                    where + " shares no PostgreSQL database");
            assertEquals("/var/run/portcullis/db/password", properties.get("portcullis." + service + ".store.db-password-file"),
                    where);
            assertTrue(mountsSecretAt(chart, service, "/var/run/portcullis/db"), where + ": the password file is no Secret");
        }
    }

    @ParameterizedTest
    @MethodSource("spooledWorkloads")
    void aDiskSpoolIsAPersistentVolumeClaimOfEachReplicaKeptWithIt(RenderedChart chart, String service) {
        Map<String, Object> workload = chart.named("StatefulSet", "portcullis-" + service).orElseThrow(
                () -> new AssertionError(chart + ": " + service + " is not a StatefulSet"));
        String spool = ServiceProperties.of(chart, service).get("portcullis.audit-outbox.spool-dir");
        Map<String, Object> container = Yaml.maps(workload, "spec", "template", "spec", "containers").stream()
                .filter(c -> service.equals(c.get("name"))).findFirst().orElseThrow();
        String volume = Yaml.maps(container, "volumeMounts").stream().filter(m -> spool.equals(Yaml.string(m, "mountPath")))
                .map(m -> Yaml.string(m, "name")).findFirst().orElseThrow(() -> new AssertionError("nothing mounted at " + spool));

        Map<String, Object> claim = Yaml.maps(workload, "spec", "volumeClaimTemplates").stream()
                .filter(c -> volume.equals(Yaml.string(c, "metadata", "name"))).findFirst()
                .orElseThrow(() -> new AssertionError(chart + ": the spool volume " + volume + " is no claim template"));
        assertFalse(Yaml.string(claim, "spec", "resources", "requests", "storage").isEmpty());
        assertTrue(Yaml.maps(workload, "spec", "template", "spec", "volumes").stream()
                .noneMatch(v -> volume.equals(Yaml.string(v, "name"))), "a pod volume would shadow the claim");
        assertEquals("Retain", Yaml.string(workload, "spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"));
        assertEquals("Retain", Yaml.string(workload, "spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"));
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyServiceRunsTwoOrMoreReplicasUnderADisruptionBudgetAndRollsOnePodAtATime(RenderedChart chart) {
        for (String service : workloads(chart)) {
            Map<String, Object> workload = chart.workload(service).orElseThrow();
            String where = chart + " " + service;

            assertTrue(((Number) Yaml.at(workload, "spec", "replicas")).intValue() >= 2, where + " replicas");
            Map<String, Object> budget = chart.ofKind("PodDisruptionBudget").stream()
                    .filter(p -> RenderedChartTest.selects(Yaml.map(p, "spec", "selector", "matchLabels"),
                            RenderedChartTest.podLabels(workload)))
                    .findFirst().orElseThrow(() -> new AssertionError(where + ": no PodDisruptionBudget"));
            assertEquals(1, ((Number) Yaml.at(budget, "spec", "maxUnavailable")).intValue(), where);
            if ("StatefulSet".equals(workload.get("kind"))) {
                assertEquals("RollingUpdate", Yaml.string(workload, "spec", "updateStrategy", "type"), where);
            } else {
                assertEquals("RollingUpdate", Yaml.string(workload, "spec", "strategy", "type"), where);
                assertEquals(0, ((Number) Yaml.at(workload, "spec", "strategy", "rollingUpdate", "maxUnavailable")).intValue(),
                        where);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void theExecutorReachesItsDatabase(RenderedChart chart) {
        Map<String, Object> policy = chart.named("NetworkPolicy", "portcullis-executor").orElseThrow();

        assertTrue(Yaml.maps(policy, "spec", "egress").stream()
                .anyMatch(rule -> Yaml.maps(rule, "to").stream().anyMatch(peer -> peer.containsKey("ipBlock"))
                        && Yaml.maps(rule, "ports").stream().anyMatch(port -> "5432".equals(Yaml.string(port, "port")))),
                chart + ": no egress from the executor to PostgreSQL");
    }

    private static boolean isEmptyDir(Map<String, Object> pod, String volumeName) {
        return Yaml.maps(pod, "volumes").stream().filter(v -> volumeName.equals(Yaml.string(v, "name")))
                .anyMatch(v -> v.containsKey("emptyDir"));
    }

    private static boolean mountsSecretAt(RenderedChart chart, String service, String path) {
        Map<String, Object> pod = Yaml.map(chart.workload(service).orElseThrow(), "spec", "template", "spec");
        Optional<String> volume = Yaml.maps(pod, "containers").stream().filter(c -> service.equals(c.get("name")))
                .flatMap(c -> Yaml.maps(c, "volumeMounts").stream()).filter(m -> path.equals(Yaml.string(m, "mountPath")))
                .map(m -> Yaml.string(m, "name")).findFirst();
        return volume.isPresent() && Yaml.maps(pod, "volumes").stream()
                .anyMatch(v -> volume.get().equals(Yaml.string(v, "name")) && v.containsKey("secret"));
    }
}
