package dev.portcullis.audit.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.alert.delivery.AlertDeliveryConfig;
import dev.portcullis.audit.alert.delivery.AlertDispatcher;
import dev.portcullis.audit.alert.delivery.WebhookAlertSink;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import dev.portcullis.audit.chain.ChainHash;
import dev.portcullis.audit.chain.StoredEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule end to end, as the audit service strings the parts together: events over a rule's
 * threshold go through the detector, the alert is stored and dispatched, and it arrives at a real
 * webhook receiver on loopback that refuses the first attempt, so it comes through the retry.
 */
class AlertPipelineTest {
    static final Instant START = Instant.parse("2024-03-04T10:00:00Z");
    static final String CI = "spiffe://example.org/ci/github/acme/infra-live";
    static final AuditResource RUN = new AuditResource("run", "run-7", "infra-live", "run-7");

    final MutableClock clock = MutableClock.at(START.plus(Duration.ofMinutes(5)));
    final TestDatabase database = TestDatabase.freshH2();
    final AlertStore store = new JdbcAlertStore(database.dataSource(), clock);

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    static AuditEvent.Builder event(AuditAction action, int secondsAfterStart) {
        return AuditEvent.builder("gateway", action, START.plusSeconds(secondsAfterStart)).resource(RUN);
    }

    static Stream<Arguments> rulesOverTheirThreshold() {
        return Stream.of(
                Arguments.of("auth_failure_burst", IntStream.range(0, 5).mapToObj(i -> event(AuditAction.AUTH_FAILED, i * 10)
                        .resource(AuditResource.NONE).actor(CI).sourceAddress("203.0.113.9:4000")
                        .outcome(AuditOutcome.DENIED).build()).toList()),
                Arguments.of("denial_burst", IntStream.range(0, 10).mapToObj(i -> event(AuditAction.POLICY_DENIED, i * 10)
                        .actor(CI).outcome(AuditOutcome.DENIED).build()).toList()),
                Arguments.of("new_caller", List.of(event(AuditAction.RUN_SUBMITTED, 0).actor(CI).build())),
                Arguments.of("change_window_violation", List.of(event(AuditAction.RUN_STARTED, 0).actor(CI)
                        .attributes(Map.of("changes_infrastructure", "true", "change_window", "closed")).build())),
                Arguments.of("secret_leak", List.of(AuditEvent.builder("executor", AuditAction.SECRET_LEAK_DETECTED, START)
                        .resource(RUN).build())),
                Arguments.of("breakglass", List.of(event(AuditAction.BREAKGLASS_USED, 0).actor("spiffe://example.org/human/alice")
                        .attributes(Map.of("justification", "INC-123")).build())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rulesOverTheirThreshold")
    void anAlertArrivesAtTheWebhookThroughTheRetry(String rule, List<AuditEvent> events) throws Exception {
        AnomalyDetector detector = new AnomalyDetector(AnomalyDetectorTest.defaults(), clock);
        AlertDeliveryConfig delivery = new AlertDeliveryConfig(List.of(), Duration.ofSeconds(5), 3, Duration.ofMillis(10),
                Duration.ofMillis(50));
        try (WebhookReceiver receiver = WebhookReceiver.failingFirst(1);
                AlertDispatcher dispatcher = new AlertDispatcher(
                        List.of(new WebhookAlertSink("webhook-1", receiver.url(), Duration.ofSeconds(5))), store, delivery,
                        clock)) {
            List<StoredAlert> raised = new ArrayList<>();

            for (AuditEvent event : events) {
                for (Alert alert : detector.onEvent(event)) {
                    StoredAlert stored = store.append(alert);
                    raised.add(stored);
                    dispatcher.dispatch(stored);
                }
            }

            String body = receiver.awaitAccepted(Duration.ofSeconds(10));
            assertEquals(1, raised.size());
            assertTrue(body.startsWith("{\"text\":\"Portcullis alert 1 ["), body);
            assertTrue(body.contains("] " + rule + ": "), body);
            assertEquals(List.of(500, 200), receiver.requests().stream().map(WebhookReceiver.Request::status).toList());
            assertEquals(raised, store.list(Optional.empty(), Optional.of(rule), Long.MAX_VALUE, 10));
        }
    }

    @Test
    void alertsRaisedByOneBatchAreStoredDeliveredAndAnnouncedInEventOrder() {
        List<StoredAlert> dispatched = new ArrayList<>();
        AlertPipeline pipeline = new AlertPipeline(new AnomalyDetector(AnomalyDetectorTest.defaults(), clock), store,
                dispatched::add);
        List<AuditEvent> events = List.of(
                event(AuditAction.RUN_SUBMITTED, 0).actor(CI).build(),
                event(AuditAction.RUN_SUBMITTED, 1).actor("spiffe://example.org/ci/github/acme/other").build(),
                event(AuditAction.BREAKGLASS_USED, 2).actor("spiffe://example.org/human/alice").build());
        List<StoredEvent> stored = IntStream.range(0, events.size()).mapToObj(i -> new StoredEvent(i + 1, events.get(i), START,
                ChainHash.GENESIS, ChainHash.GENESIS)).toList();

        pipeline.onStored(stored);

        List<StoredAlert> alerts = store.after(0, 10);
        assertEquals(List.of("new_caller", "new_caller", "breakglass"), alerts.stream().map(a -> a.alert().rule()).toList());
        assertEquals(List.of(events.get(0).eventId(), events.get(1).eventId(), events.get(2).eventId()),
                alerts.stream().map(a -> a.alert().eventIds().get(0)).toList());
        assertEquals(alerts, dispatched);
        assertEquals(3, pipeline.newest());
    }
}
