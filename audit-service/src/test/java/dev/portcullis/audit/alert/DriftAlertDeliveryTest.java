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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The drift rules end to end, as the audit service strings the parts together: the gateway's drift
 * events go through the pipeline, the alert is stored and arrives at a real webhook receiver on
 * loopback through a retry, like every other rule's alerts.
 */
class DriftAlertDeliveryTest {
    static final Instant START = Instant.parse("2026-12-07T10:00:00Z");
    static final AuditResource TARGET = new AuditResource("drift_target", "infra-live:prod/network:prod", "infra-live", "run-9");
    static final Map<String, String> TARGET_ATTRIBUTES = Map.of("repo", "infra-live", "folder", "prod/network",
            "environment", "prod", "command", "plan", "ref", "refs/heads/main",
            "commit_sha", "0123456789abcdef0123456789abcdef01234567");

    final MutableClock clock = MutableClock.at(START.plus(Duration.ofHours(2)));
    final TestDatabase database = TestDatabase.freshH2();
    final AlertStore store = new JdbcAlertStore(database.dataSource(), clock);

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    static AuditEvent event(AuditAction action, int minutesAfterStart, Map<String, String> extra) {
        Map<String, String> attributes = new HashMap<>(TARGET_ATTRIBUTES);
        attributes.putAll(extra);
        return AuditEvent.builder("gateway", action, START.plus(Duration.ofMinutes(minutesAfterStart)))
                .eventId(UUID.randomUUID()).actor("spiffe://example.org/portcullis/drift-scheduler").resource(TARGET)
                .outcome(action == AuditAction.DRIFT_CHECK_FAILED ? AuditOutcome.FAILURE : AuditOutcome.SUCCESS)
                .attributes(attributes).build();
    }

    static Stream<Arguments> driftEvents() {
        return Stream.of(
                Arguments.of("drift_detected", "HIGH", List.of(event(AuditAction.DRIFT_DETECTED, 0, Map.of("plan_create", "0",
                        "plan_update", "0", "plan_delete", "1", "plan_replace", "0", "drift_count", "1",
                        "addresses", "aws_route53_record.www", "addresses_not_listed", "0")))),
                Arguments.of("drift_check_failing", "MEDIUM", IntStream.rangeClosed(1, 3)
                        .mapToObj(i -> event(AuditAction.DRIFT_CHECK_FAILED, i * 30,
                                Map.of("consecutive_failures", Integer.toString(i))))
                        .toList()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("driftEvents")
    void aDriftAlertArrivesAtTheWebhookThroughTheRetry(String rule, String severity, List<AuditEvent> events)
            throws Exception {
        DriftRules rules = new DriftRules(DriftRulesConfig.defaults(), clock);
        AlertDeliveryConfig delivery = new AlertDeliveryConfig(List.of(), Duration.ofSeconds(5), 3, Duration.ofMillis(10),
                Duration.ofMillis(50));
        try (WebhookReceiver receiver = WebhookReceiver.failingFirst(1);
                AlertDispatcher dispatcher = new AlertDispatcher(
                        List.of(new WebhookAlertSink("webhook-1", receiver.url(), Duration.ofSeconds(5))), store, delivery,
                        clock)) {
            List<StoredAlert> raised = new ArrayList<>();

            for (AuditEvent event : events) {
                for (Alert alert : rules.onEvent(event)) {
                    StoredAlert stored = store.append(alert);
                    raised.add(stored);
                    dispatcher.dispatch(stored);
                }
            }

            String body = receiver.awaitAccepted(Duration.ofSeconds(10));
            assertEquals(1, raised.size());
            assertTrue(body.contains("] " + rule + ": "), body);
            assertTrue(body.contains("infra-live") && body.contains("prod/network"), body);
            assertEquals(severity, raised.get(0).alert().severity().name());
            assertEquals(List.of(500, 200), receiver.requests().stream().map(WebhookReceiver.Request::status).toList());
            assertEquals(raised, store.list(Optional.empty(), Optional.of(rule), Long.MAX_VALUE, 10));
        }
    }
}
