package dev.portcullis.audit.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.alert.delivery.AlertDeliveryConfig;
import dev.portcullis.audit.alert.delivery.AlertDispatcher;
import dev.portcullis.audit.alert.delivery.WebhookAlertSink;
import dev.portcullis.audit.chain.ChainVerification;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.audit.store.JdbcAuditStore;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.telemetry.TelemetryConfig;
import dev.portcullis.runtime.telemetry.TelemetryEnvironment;
import dev.portcullis.runtime.testing.MutableClock;
import dev.portcullis.runtime.testing.PrometheusScrape;
import dev.portcullis.runtime.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit service's metrics, scraped from its Prometheus endpoint: events stored, the alert
 * they raise, its delivery through a retry to a real webhook receiver, and a verification.
 */
class AuditMetricsTest {
    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.at(AlertPipelineTest.START.plus(Duration.ofMinutes(5)));
    private TestDatabases.Settings db;
    private HikariDataSource dataSource;
    private Telemetry telemetry;

    @BeforeEach
    void open() {
        db = TestDatabases.freshH2();
        dataSource = Databases.open("audit", db.jdbcUrl(), db.user(), db.password(), db.schema(), 4);
        telemetry = TelemetryEnvironment.build("audit", new TelemetryConfig(0, "127.0.0.1"));
    }

    @AfterEach
    void close() {
        telemetry.close();
        dataSource.close();
        TestDatabases.drop(db);
    }

    @Test
    void storedEventsRaisedAlertsDeliveriesAndVerificationsAreCounted() throws Exception {
        JdbcAuditStore store = new JdbcAuditStore(dataSource, clock);
        JdbcAlertStore alerts = new JdbcAlertStore(dataSource, clock);
        CheckpointSigner signer = CheckpointSigner.load(dir.resolve("k.key"), dir.resolve("k.pub"), true);
        AlertDeliveryConfig delivery = new AlertDeliveryConfig(List.of(), Duration.ofSeconds(5), 3, Duration.ofMillis(10),
                Duration.ofMillis(50));
        try (WebhookReceiver receiver = WebhookReceiver.failingFirst(1);
                AlertDispatcher dispatcher = new AlertDispatcher(
                        List.of(new WebhookAlertSink("webhook-1", receiver.url(), Duration.ofSeconds(5))), alerts, delivery,
                        clock, telemetry)) {
            AlertPipeline pipeline = new AlertPipeline(List.of(new AnomalyDetector(AnomalyDetectorTest.defaults(), clock)),
                    alerts, dispatcher, telemetry);
            AuditIngest ingest = new AuditIngest(store, signer, 1000, Duration.ofDays(1), clock, List.of(pipeline), telemetry);
            AuditEvent breakGlass = AlertPipelineTest.event(AuditAction.BREAKGLASS_USED, 0)
                    .actor("spiffe://example.org/human/alice").attributes(Map.of("justification", "INC-123")).build();
            AuditEvent denied = AlertPipelineTest.event(AuditAction.POLICY_DENIED, 1).actor(AlertPipelineTest.CI)
                    .outcome(AuditOutcome.DENIED).build();

            ingest.append(List.of(breakGlass, denied));
            ingest.append(List.of(breakGlass)); // stored once
            receiver.awaitAccepted(Duration.ofSeconds(10));
            new ChainVerification(store, signer.publicKey(), telemetry).verify(0, 0);

            // the dispatcher counts a delivery after the receiver answered: wait for it
            PrometheusScrape scrape = PrometheusScrape.awaitScrape(telemetry.prometheusAddress().orElseThrow(),
                    s -> s.sum("portcullis_audit_alert_deliveries_total", Map.of("result", "delivered")) > 0,
                    Duration.ofSeconds(10));
            assertEquals(1, scrape.sum("portcullis_audit_events_total",
                    Map.of("action", "breakglass.used", "outcome", "SUCCESS")), scrape.text());
            assertEquals(1, scrape.sum("portcullis_audit_events_total",
                    Map.of("action", "policy.denied", "outcome", "DENIED")), scrape.text());
            assertEquals(2, scrape.sum("portcullis_audit_events_total", Map.of()), scrape.text());
            assertEquals(1, scrape.sum("portcullis_audit_alerts_total", Map.of("rule", "breakglass")), scrape.text());
            assertEquals(1, scrape.sum("portcullis_audit_alert_deliveries_total", Map.of("sink", "webhook-1", "result",
                    "failed")), scrape.text());
            assertEquals(1, scrape.sum("portcullis_audit_alert_deliveries_total", Map.of("sink", "webhook-1", "result",
                    "delivered")), scrape.text());
            assertEquals(1, scrape.sum("portcullis_audit_verifications_total", Map.of("result", "intact")), scrape.text());
        }
    }

    @Test
    void everyEventOfABatchIsCountedUnderItsActionAndOutcome() throws Exception {
        JdbcAuditStore store = new JdbcAuditStore(dataSource, clock);
        CheckpointSigner signer = CheckpointSigner.load(dir.resolve("k.key"), dir.resolve("k.pub"), true);
        AuditIngest ingest = new AuditIngest(store, signer, 1000, Duration.ofDays(1), clock, List.of(), telemetry);
        List<AuditEvent> batch = List.of(
                AlertPipelineTest.event(AuditAction.POLICY_DENIED, 1).outcome(AuditOutcome.DENIED).build(),
                AlertPipelineTest.event(AuditAction.RUN_SUBMITTED, 2).build(),
                AlertPipelineTest.event(AuditAction.POLICY_DENIED, 3).outcome(AuditOutcome.DENIED).build(),
                AlertPipelineTest.event(AuditAction.POLICY_DENIED, 4).outcome(AuditOutcome.DENIED).build());

        ingest.append(batch);

        PrometheusScrape scrape = PrometheusScrape.awaitScrape(telemetry.prometheusAddress().orElseThrow(),
                s -> s.sum("portcullis_audit_events_total", Map.of()) >= 4, Duration.ofSeconds(10));
        assertEquals(3, scrape.sum("portcullis_audit_events_total", Map.of("action", "policy.denied", "outcome", "DENIED")),
                scrape.text());
        assertEquals(1, scrape.sum("portcullis_audit_events_total", Map.of("action", "run.submitted", "outcome", "SUCCESS")),
                scrape.text());
        assertEquals(4, scrape.sum("portcullis_audit_events_total", Map.of()), scrape.text());
    }
}
