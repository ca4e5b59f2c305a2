package dev.portcullis.cli.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.DriftSchedule;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.testing.PrometheusScrape;
import dev.portcullis.v1.CheckDriftNowRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance of issue 8 (metrics): one plan through the whole suite, each service's
 * {@code /metrics} scraped over real HTTP before and after, and the counters moved. Every family
 * the Grafana dashboard queries (deploy/grafana/portcullis-metrics.txt) is served.
 */
class RunMetricsTest {
    /** The families the dashboard queries; DashboardTest (module deploy) holds the dashboard to the same list. */
    static final Path DASHBOARD_METRICS = Path.of("../deploy/grafana/portcullis-metrics.txt").toAbsolutePath().normalize();
    private static final List<String> SERVICES = List.of("gateway", "policy", "executor", "audit");
    private static final List<String> WITH_OUTBOX = List.of("gateway", "policy", "executor");
    private static final Duration SETTLE = Duration.ofSeconds(30);
    /**
     * The suite's catalog with one drift check of stage/app, never due while the test runs (every
     * 7d, first due hours after first sight): the test asks for it once its run's counters are read.
     * The scheduler identity is no caller of the repo, so the check is denied and recorded failing,
     * which is enough for its duration to be measured.
     */
    private static final String CATALOG = SuiteFixture.CATALOG
            .replace("commands:\n", "commands:\n  drift-plan:\n    argv: [\"sh\", \"plan.sh\", \"${environment}\"]\n"
                    + "    produces: plan.out\n    summary: terraform\n")
            .replace("commands: [plan, slow]", "commands: [plan, slow, drift-plan]")
            + "    drift:\n      - { folders: [stage/app], environments: [stage], command: drift-plan, every: 7d, jitter: 3d }\n";

    @TempDir
    Path dir;

    /** Where the audit service delivers alerts: a loopback webhook that accepts everything. */
    private HttpServer webhook;
    private final AtomicInteger alertsPosted = new AtomicInteger();

    @BeforeEach
    void startWebhook() throws IOException {
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        webhook.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            alertsPosted.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.start();
    }

    @AfterEach
    void stopWebhook() {
        webhook.stop(0);
    }

    static List<String> dashboardMetrics() throws IOException {
        return Files.readAllLines(DASHBOARD_METRICS, UTF_8).stream()
                .map(line -> line.replaceAll("#.*", "").strip())
                .filter(line -> !line.isEmpty())
                .toList();
    }

    @Test
    void aPlanRunMovesTheCountersOfEveryServiceAndEveryDashboardFamilyIsServed() throws Exception {
        new CatalogLoader().load("catalog.yaml", CATALOG.replace("@REPO@", "/repo").getBytes(UTF_8)).driftTargets()
                .forEach(target -> assertTrue(DriftSchedule.jitterOffset(target).compareTo(Duration.ofHours(1)) > 0,
                        "due during the test: " + target));
        Map<String, Map<String, Object>> overrides = new HashMap<>();
        for (String service : SERVICES) {
            overrides.put(service, new HashMap<>(Map.of("portcullis.telemetry.prometheus-port", 0)));
        }
        overrides.get("gateway").put("portcullis.gateway.drift.interval", "1s");
        overrides.get("audit").put("portcullis.audit.alerts.delivery.webhook-urls",
                List.of("http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook"));
        Map<String, PrometheusScrape> before = new HashMap<>();
        Map<String, PrometheusScrape> after = new HashMap<>();
        Map<String, InetSocketAddress> addresses = new HashMap<>();
        Run done;
        PrometheusScrape drift;
        try (SuiteFixture suite = SuiteFixture.start(dir, CATALOG, overrides, Optional.empty())) {
            for (String service : SERVICES) {
                Telemetry telemetry = suite.dev.service(service).context().getBean(Telemetry.class);
                addresses.put(service, telemetry.prometheusAddress().orElseThrow());
                before.put(service, PrometheusScrape.of(addresses.get(service)));
            }

            Run submitted = suite.submit("ci", SuiteFixture.spec(suite.mainCommit, "refs/heads/main", "stage/app", "stage",
                    "plan"));
            done = suite.awaitState(submitted.getRunId(), RunState.RUN_STATE_SUCCEEDED);
            suite.auditOf(done.getRunId(), 5);

            double succeeded = sum(before, "gateway", "portcullis_gateway_run_transitions_total", Map.of("to", "SUCCEEDED"));
            for (String service : WITH_OUTBOX) {
                // every event shipped and acknowledged: the backlog is back to 0; and the gateway's
                // driver, which may still be returning from the final change a reader already sees, counted it
                after.put(service, PrometheusScrape.awaitScrape(addresses.get(service),
                        s -> s.has("portcullis_outbox_backlog") && s.sum("portcullis_outbox_backlog", Map.of()) == 0
                                && (!service.equals("gateway") || s.sum("portcullis_gateway_run_transitions_total",
                                        Map.of("to", "SUCCEEDED")) > succeeded),
                        SETTLE));
            }
            // the alert raised for the new caller reaches the webhook on a dispatcher thread
            after.put("audit", PrometheusScrape.awaitScrape(addresses.get("audit"), s -> s.sum(
                    "portcullis_audit_alert_deliveries_total", Map.of("result", "delivered")) > 0, SETTLE));

            // a drift check asked for now, once the counters above are read: its result's duration is measured
            suite.gateway("admin").checkDriftNow(CheckDriftNowRequest.newBuilder().setRepo("example").setFolder("stage/app")
                    .setEnvironment("stage").build());
            drift = PrometheusScrape.awaitScrape(addresses.get("gateway"), s -> s.sum(
                    "portcullis_gateway_drift_check_duration_seconds_count", Map.of("state", "failing")) >= 1, SETTLE);
        }

        for (String service : SERVICES) {
            assertTrue(addresses.get(service).getAddress().isLoopbackAddress(), service + " " + addresses.get(service));
        }
        assertMoved(before, after, "gateway", "rpc_server_calls_total",
                Map.of("rpc_method", "SubmitRun", "rpc_grpc_status", "OK"), 1);
        assertMoved(before, after, "gateway", "rpc_server_duration_milliseconds_count", Map.of("rpc_method", "SubmitRun"), 1);
        assertMoved(before, after, "gateway", "rpc_client_duration_milliseconds_count", Map.of("rpc_method", "StartTask"), 1);
        // decided when submitted and again when it left the queue
        assertMoved(before, after, "policy", "portcullis_policy_decisions_total",
                Map.of("outcome", "allow", "command", "plan", "break_glass", "false"), 2);
        assertMoved(before, after, "policy", "rpc_server_calls_total", Map.of("rpc_method", "Evaluate"), 2);
        assertMoved(before, after, "gateway", "portcullis_gateway_run_transitions_total", Map.of("to", "QUEUED"), 1);
        assertMoved(before, after, "gateway", "portcullis_gateway_run_transitions_total", Map.of("to", "RUNNING"), 1);
        assertMoved(before, after, "gateway", "portcullis_gateway_run_transitions_total", Map.of("to", "SUCCEEDED"), 1);
        assertMoved(before, after, "gateway", "portcullis_gateway_run_duration_seconds_count", Map.of("state", "SUCCEEDED"), 1);
        assertMoved(before, after, "executor", "portcullis_executor_task_duration_seconds_count",
                Map.of("state", "SUCCEEDED", "artifact", "produces"), 1);
        assertMoved(before, after, "executor", "rpc_server_calls_total", Map.of("rpc_method", "StartTask"), 1);
        assertMoved(before, after, "audit", "portcullis_audit_events_total",
                Map.of("action", "run.submitted", "outcome", "SUCCESS"), 1);
        assertMoved(before, after, "audit", "portcullis_audit_events_total", Map.of("action", "task.finished"), 1);
        assertMoved(before, after, "audit", "portcullis_audit_alerts_total", Map.of("rule", "new_caller"), 1);
        assertMoved(before, after, "audit", "portcullis_audit_alert_deliveries_total", Map.of("result", "delivered"), 1);
        assertTrue(alertsPosted.get() >= 1, "alerts posted to the webhook: " + alertsPosted.get());
        for (String service : WITH_OUTBOX) {
            assertTrue(sum(after, service, "rpc_client_duration_milliseconds_count", Map.of("rpc_method", "Append")) >= 1,
                    service + " shipped its audit events: " + after.get(service).text());
            assertEquals(0, sum(after, service, "portcullis_outbox_oldest_age_seconds", Map.of()), after.get(service).text());
        }
        for (String state : List.of("QUEUED", "RUNNING")) {
            assertEquals(0, sum(after, "gateway", "portcullis_gateway_runs", Map.of("state", state)), after.get("gateway").text());
        }
        assertEquals(0, sum(after, "executor", "portcullis_executor_tasks", Map.of("state", "RUNNING")),
                after.get("executor").text());
        for (String service : SERVICES) {
            assertEquals(1, after.get(service).samples("target_info").size(), service);
            assertTrue(after.get(service).samples("rpc_server_calls_total").stream()
                    .allMatch(s -> s.labels().get("service_name").equals("portcullis-" + service)), after.get(service).text());
        }

        assertEquals(1, drift.sum("portcullis_gateway_drift_targets", Map.of("state", "failing")), drift.text());
        Set<String> served = new TreeSet<>();
        after.values().forEach(scrape -> served.addAll(scrape.families()));
        served.addAll(drift.families());
        List<String> missing = new ArrayList<>(dashboardMetrics());
        missing.removeAll(served);
        assertEquals(List.of(), missing, "dashboard families no service serves; served: " + served);
    }

    private static double sum(Map<String, PrometheusScrape> scrapes, String service, String name, Map<String, String> labels) {
        return scrapes.get(service).sum(name, labels);
    }

    /** Fails unless {@code name{labels}} of {@code service} grew by exactly {@code by}; a missing series counts 0. */
    private static void assertMoved(Map<String, PrometheusScrape> before, Map<String, PrometheusScrape> after, String service,
            String name, Map<String, String> labels, int by) {
        double was = sum(before, service, name, labels);
        double is = sum(after, service, name, labels);
        assertTrue(after.get(service).samples(name).stream()
                        .anyMatch(s -> s.labels().entrySet().containsAll(labels.entrySet())),
                service + " serves no " + name + labels + ":\n" + after.get(service).text());
        assertEquals(by, is - was, 1e-9, service + " " + name + labels + " went from " + was + " to " + is);
    }
}
