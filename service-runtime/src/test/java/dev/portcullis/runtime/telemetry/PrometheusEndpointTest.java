package dev.portcullis.runtime.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.testing.PrometheusScrape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The Prometheus endpoint of a service's telemetry, scraped over real HTTP. */
class PrometheusEndpointTest {
    private static final TelemetryConfig ANY_PORT = new TelemetryConfig(0, "127.0.0.1");

    @Test
    void portZeroServesMetricsOnLoopbackAtAnAddressTelemetryReports() throws Exception {
        try (Telemetry telemetry = TelemetryEnvironment.build("policy", ANY_PORT)) {
            InetSocketAddress address = telemetry.prometheusAddress().orElseThrow();
            telemetry.counter("portcullis.test.things", "{thing}", "things done").add(Map.of());

            PrometheusScrape scrape = PrometheusScrape.of(address);

            assertTrue(address.getAddress().isLoopbackAddress(), address.toString());
            assertTrue(address.getPort() > 0, address.toString());
            assertTrue(scrape.families().containsAll(Set.of("portcullis_test_things_total", "target_info")), scrape.text());
        }
    }

    @Test
    void instrumentsAppearUnderTheirPrometheusNames() throws Exception {
        AtomicLong level = new AtomicLong(7);
        AtomicLong seen = new AtomicLong(3);
        try (Telemetry telemetry = TelemetryEnvironment.build("policy", ANY_PORT)) {
            Counter things = telemetry.counter("portcullis.test.things", "{thing}", "things done");
            DurationHistogram waits = telemetry.durations("portcullis.test.wait", "time waited");
            telemetry.gauge("portcullis.test.level", "{item}", "items waiting",
                    () -> Map.of(Map.of("state", "queued"), level.get()));
            telemetry.counted("portcullis.test.seen", "{item}", "items seen", () -> Map.of(Map.of(), seen.get()));

            things.add(Map.of("outcome", "allow"));
            things.add(2, Map.of("outcome", "deny"));
            waits.record(Duration.ofMillis(1500), Map.of("outcome", "ok"));
            PrometheusScrape scrape = PrometheusScrape.of(telemetry.prometheusAddress().orElseThrow());

            assertEquals(1, scrape.sum("portcullis_test_things_total", Map.of("outcome", "allow",
                    "service_name", "portcullis-policy")), scrape.text());
            assertEquals(2, scrape.sum("portcullis_test_things_total", Map.of("outcome", "deny")), scrape.text());
            assertEquals(1, scrape.sum("portcullis_test_wait_seconds_count", Map.of("outcome", "ok")), scrape.text());
            assertEquals(1.5, scrape.sum("portcullis_test_wait_seconds_sum", Map.of("outcome", "ok")), 1e-9, scrape.text());
            assertEquals(0, scrape.sum("portcullis_test_wait_seconds_bucket", Map.of("outcome", "ok", "le", "1.0")),
                    scrape.text());
            assertEquals(1, scrape.sum("portcullis_test_wait_seconds_bucket", Map.of("outcome", "ok", "le", "2.5")),
                    scrape.text());
            assertEquals(7, scrape.sum("portcullis_test_level", Map.of("state", "queued")), scrape.text());
            assertEquals(3, scrape.sum("portcullis_test_seen_total", Map.of()), scrape.text());
        }
    }

    @Test
    void gaugesAreReadAtEachScrape() throws Exception {
        AtomicLong level = new AtomicLong(1);
        try (Telemetry telemetry = TelemetryEnvironment.build("gateway", ANY_PORT)) {
            telemetry.gauge("portcullis.test.level", "{item}", "items waiting", () -> Map.of(Map.of(), level.get()));
            InetSocketAddress address = telemetry.prometheusAddress().orElseThrow();
            double before = PrometheusScrape.of(address).sum("portcullis_test_level", Map.of());

            level.set(5);
            double after = PrometheusScrape.of(address).sum("portcullis_test_level", Map.of());

            assertEquals(1, before);
            assertEquals(5, after);
        }
    }

    @Test
    void aFailingReadingLeavesAGapAndTheRestIsServed() throws Exception {
        try (Telemetry telemetry = TelemetryEnvironment.build("gateway", ANY_PORT)) {
            telemetry.gauge("portcullis.test.broken", "{item}", "fails", () -> {
                throw new IllegalStateException("database down");
            });
            telemetry.counter("portcullis.test.things", "{thing}", "things done").add(Map.of());

            PrometheusScrape scrape = PrometheusScrape.of(telemetry.prometheusAddress().orElseThrow());

            assertFalse(scrape.has("portcullis_test_broken"), scrape.text());
            assertEquals(1, scrape.sum("portcullis_test_things_total", Map.of()), scrape.text());
        }
    }

    @Test
    void noPortMeansNoEndpoint() {
        try (Telemetry telemetry = TelemetryEnvironment.build("audit",
                new TelemetryConfig(TelemetryConfig.NO_PROMETHEUS, "127.0.0.1"))) {
            assertTrue(telemetry.prometheusAddress().isEmpty());
        }
    }

    @Test
    void closingStopsTheListener() throws Exception {
        InetSocketAddress address;
        try (Telemetry telemetry = TelemetryEnvironment.build("audit", ANY_PORT)) {
            address = telemetry.prometheusAddress().orElseThrow();
            PrometheusScrape.of(address);
        }

        assertThrows(ConnectException.class, () -> PrometheusScrape.of(address));
    }

    @Test
    void aTakenPortStopsStartUpNamingTheSetting() throws IOException {
        try (Telemetry first = TelemetryEnvironment.build("audit", ANY_PORT)) {
            int taken = first.prometheusAddress().orElseThrow().getPort();

            UncheckedIOException refused = assertThrows(UncheckedIOException.class,
                    () -> TelemetryEnvironment.build("policy", new TelemetryConfig(taken, "127.0.0.1")));

            assertTrue(refused.getMessage().startsWith("portcullis.telemetry.prometheus-port"), refused.getMessage());
        }
    }

    @Test
    void aCounterRefusesToShrink() {
        Counter things = Telemetry.disabled("policy").counter("portcullis.test.things", "{thing}", "things done");

        assertThrows(IllegalArgumentException.class, () -> things.add(-1, Map.of()));
    }
}
