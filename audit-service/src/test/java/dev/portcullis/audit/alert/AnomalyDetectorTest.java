package dev.portcullis.audit.alert;

import dev.portcullis.runtime.testing.MutableClock;
import static dev.portcullis.runtime.audit.AuditAction.AUTH_FAILED;
import static dev.portcullis.runtime.audit.AuditAction.BREAKGLASS_USED;
import static dev.portcullis.runtime.audit.AuditAction.POLICY_ALLOWED;
import static dev.portcullis.runtime.audit.AuditAction.POLICY_DENIED;
import static dev.portcullis.runtime.audit.AuditAction.RUN_APPROVED;
import static dev.portcullis.runtime.audit.AuditAction.RUN_STARTED;
import static dev.portcullis.runtime.audit.AuditAction.RUN_SUBMITTED;
import static dev.portcullis.runtime.audit.AuditAction.SECRET_LEAK_DETECTED;
import static dev.portcullis.runtime.audit.AuditAction.TASK_STARTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.alert.Alert.Severity;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AnomalyDetectorTest {
    static final Instant START = Instant.parse("2024-03-04T10:00:00Z");
    static final String CI = "spiffe://example.org/ci/github/acme/infra-live";
    static final String ALICE = "spiffe://example.org/human/alice";
    static final AuditResource RUN = new AuditResource("run", "run-7", "infra-live", "run-7");

    final MutableClock clock = MutableClock.at(START);

    static AlertRulesConfig defaults() {
        return new AlertRulesConfig(true, 5, Duration.ofMinutes(5), true, 10, Duration.ofMinutes(10), true, true, true,
                true);
    }

    static AlertRulesConfig allDisabled() {
        return new AlertRulesConfig(false, 5, Duration.ofMinutes(5), false, 10, Duration.ofMinutes(10), false, false,
                false, false);
    }

    AuditEvent.Builder event(AuditAction action) {
        return AuditEvent.builder("gateway", action, clock.instant());
    }

    AuditEvent authFailed(String actor, String address) {
        return event(AUTH_FAILED).actor(actor).sourceAddress(address).outcome(AuditOutcome.DENIED).build();
    }

    AuditEvent denied(String actor) {
        return event(POLICY_DENIED).actor(actor).outcome(AuditOutcome.DENIED).resource(RUN).reason("REF_NOT_ALLOWED").build();
    }

    /** Feeds {@code events} in order and collects every alert raised. */
    static List<Alert> feed(AnomalyDetector detector, List<AuditEvent> events) {
        List<Alert> alerts = new ArrayList<>();
        events.forEach(e -> alerts.addAll(detector.onEvent(e)));
        return alerts;
    }

    /** {@code count} events made by {@code next}, {@code gap} apart on the clock. */
    List<AuditEvent> spaced(int count, Duration gap, java.util.function.Supplier<AuditEvent> next) {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                clock.advance(gap);
            }
            events.add(next.get());
        }
        return events;
    }

    @Nested
    class AuthFailureBurst {
        final AnomalyDetector detector = new AnomalyDetector(defaults(), clock);

        @Test
        void fourFailuresByOneIdentityRaiseNothing() {
            List<AuditEvent> events = spaced(4, Duration.ofSeconds(30), () -> authFailed(CI, ""));

            assertEquals(List.of(), feed(detector, events));
        }

        @Test
        void theFifthFailureByOneIdentityWithinTheWindowRaisesOneAlert() {
            List<AuditEvent> events = spaced(5, Duration.ofSeconds(30), () -> authFailed(CI, ""));

            List<Alert> alerts = feed(detector, events);

            assertEquals(1, alerts.size());
            Alert alert = alerts.get(0);
            assertEquals("auth_failure_burst", alert.rule());
            assertEquals(Severity.HIGH, alert.severity());
            assertEquals("5 failed authentications by " + CI + " within 5m", alert.summary());
            assertEquals(events.stream().map(AuditEvent::eventId).toList(), alert.eventIds());
            assertEquals(Map.of("actor", CI, "failures", "5", "window", "5m"), alert.attributes());
            assertEquals(clock.instant(), alert.raisedAt());
        }

        @Test
        void failuresFromOneAddressCountTogetherWhateverIdentityTheyClaim() {
            List<AuditEvent> events = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                events.add(authFailed("", "203.0.113.9:" + (40000 + i)));
                clock.advance(Duration.ofSeconds(10));
            }

            List<Alert> alerts = feed(detector, events);

            assertEquals(1, alerts.size());
            assertEquals(Map.of("source_ip", "203.0.113.9", "failures", "5", "window", "5m"), alerts.get(0).attributes());
            assertEquals("5 failed authentications from 203.0.113.9 within 5m", alerts.get(0).summary());
        }

        @Test
        void aBurstSeenByIdentityAndAddressAtOnceIsOneAlert() {
            List<AuditEvent> events = spaced(5, Duration.ofSeconds(1), () -> authFailed(CI, "203.0.113.9:443"));

            List<Alert> alerts = feed(detector, events);

            assertEquals(1, alerts.size());
            assertEquals(CI, alerts.get(0).attributes().get("actor"));
            assertEquals("203.0.113.9", alerts.get(0).attributes().get("source_ip"));
            assertEquals(5, alerts.get(0).eventIds().size());
        }

        @Test
        void furtherFailuresInTheSameBurstDoNotAlertAgain() {
            List<AuditEvent> events = spaced(40, Duration.ofSeconds(20), () -> authFailed(CI, ""));

            assertEquals(1, feed(detector, events).size());
        }

        @Test
        void aNewBurstAfterTheWindowHasClearedAlertsAgain() {
            feed(detector, spaced(5, Duration.ofSeconds(10), () -> authFailed(CI, "")));
            clock.advance(Duration.ofMinutes(5));

            List<Alert> again = feed(detector, spaced(5, Duration.ofSeconds(10), () -> authFailed(CI, "")));

            assertEquals(1, again.size());
        }

        @Test
        void failuresOlderThanTheWindowNoLongerCount() {
            feed(detector, spaced(4, Duration.ofSeconds(10), () -> authFailed(CI, "")));
            clock.advance(Duration.ofMinutes(5));

            List<Alert> alerts = feed(detector, spaced(4, Duration.ofSeconds(10), () -> authFailed(CI, "")));

            assertEquals(List.of(), alerts);
        }

        @Test
        void failuresSpreadWiderThanTheWindowRaiseNothing() {
            List<AuditEvent> events = spaced(12, Duration.ofSeconds(76), () -> authFailed(CI, ""));

            assertEquals(List.of(), feed(detector, events));
        }

        @Test
        void aLateBacklogIsJudgedByWhenTheFailuresHappenedNotWhenTheyArrived() {
            List<AuditEvent> events = spaced(5, Duration.ofMinutes(10), () -> authFailed(CI, ""));
            clock.advance(Duration.ofHours(2)); // the audit service was down; the outbox delivers now

            assertEquals(List.of(), feed(detector, events));
        }

        @Test
        void differentIdentitiesFromDifferentAddressesDoNotAddUp() {
            List<AuditEvent> events = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                events.add(authFailed(CI + i, "203.0.113." + i + ":443"));
            }

            assertEquals(List.of(), feed(detector, events));
        }

        @Test
        void theThresholdAndWindowComeFromConfiguration() {
            AlertRulesConfig config = new AlertRulesConfig(true, 3, Duration.ofSeconds(30), true, 10,
                    Duration.ofMinutes(10), true, true, true, true);
            AnomalyDetector strict = new AnomalyDetector(config, clock);

            List<Alert> alerts = feed(strict, spaced(3, Duration.ofSeconds(10), () -> authFailed(CI, "")));

            assertEquals(1, alerts.size());
            assertEquals("3 failed authentications by " + CI + " within 30s", alerts.get(0).summary());
        }

        @Test
        void aDisabledRuleRaisesNothing() {
            AnomalyDetector disabled = new AnomalyDetector(allDisabled(), clock);

            assertEquals(List.of(), feed(disabled, spaced(10, Duration.ofSeconds(1), () -> authFailed(CI, "10.0.0.1:1"))));
        }
    }

    @Nested
    class DenialBurst {
        final AnomalyDetector detector = new AnomalyDetector(defaults(), clock);

        @Test
        void nineDenialsRaiseNothing() {
            assertEquals(List.of(), feed(detector, spaced(9, Duration.ofSeconds(30), () -> denied(CI))));
        }

        @Test
        void theTenthDenialWithinTheWindowRaisesOneAlert() {
            List<AuditEvent> events = spaced(10, Duration.ofSeconds(30), () -> denied(CI));

            List<Alert> alerts = feed(detector, events);

            assertEquals(1, alerts.size());
            assertEquals("denial_burst", alerts.get(0).rule());
            assertEquals(Severity.MEDIUM, alerts.get(0).severity());
            assertEquals("10 policy denials for " + CI + " within 10m", alerts.get(0).summary());
            assertEquals(Map.of("actor", CI, "denials", "10", "window", "10m"), alerts.get(0).attributes());
            assertEquals(events.stream().map(AuditEvent::eventId).toList(), alerts.get(0).eventIds());
        }

        @Test
        void denialsCountWhateverTheirOutcome() {
            List<AuditEvent> events = spaced(10, Duration.ofSeconds(5),
                    () -> event(POLICY_DENIED).actor(CI).outcome(AuditOutcome.FAILURE).build());

            assertEquals(1, feed(detector, events).size());
        }

        @Test
        void denialsOlderThanTheWindowNoLongerCount() {
            feed(detector, spaced(9, Duration.ofSeconds(5), () -> denied(CI)));
            clock.advance(Duration.ofMinutes(10));

            assertEquals(List.of(), feed(detector, spaced(9, Duration.ofSeconds(5), () -> denied(CI))));
        }

        @Test
        void aNewBurstAfterTheWindowHasClearedAlertsAgain() {
            assertEquals(1, feed(detector, spaced(15, Duration.ofSeconds(5), () -> denied(CI))).size());
            clock.advance(Duration.ofMinutes(10));

            assertEquals(1, feed(detector, spaced(10, Duration.ofSeconds(5), () -> denied(CI))).size());
        }

        @Test
        void denialsOfDifferentIdentitiesDoNotAddUp() {
            List<AuditEvent> events = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                events.add(denied(CI + i));
            }

            assertEquals(List.of(), feed(detector, events));
        }

        @Test
        void allowedDecisionsDoNotCount() {
            List<AuditEvent> events = spaced(20, Duration.ofSeconds(1), () -> event(POLICY_ALLOWED).actor(CI).build());

            assertEquals(List.of(), feed(detector, events));
        }

        @Test
        void aDisabledRuleRaisesNothing() {
            AnomalyDetector disabled = new AnomalyDetector(allDisabled(), clock);

            assertEquals(List.of(), feed(disabled, spaced(20, Duration.ofSeconds(1), () -> denied(CI))));
        }
    }

    @Nested
    class NewCaller {
        final AnomalyDetector detector = new AnomalyDetector(defaults(), clock);

        AuditEvent submitted(String actor) {
            return event(RUN_SUBMITTED).actor(actor).resource(RUN).sourceAddress("10.1.2.3:5000").build();
        }

        @Test
        void theFirstRunSubmittedByAnIdentityRaisesAnAlert() {
            AuditEvent first = submitted(CI);

            List<Alert> alerts = detector.onEvent(first);

            assertEquals(1, alerts.size());
            Alert alert = alerts.get(0);
            assertEquals("new_caller", alert.rule());
            assertEquals(Severity.MEDIUM, alert.severity());
            assertEquals("First run submitted by " + CI + ", run run-7 of repo infra-live", alert.summary());
            assertEquals(List.of(first.eventId()), alert.eventIds());
            assertEquals(CI, alert.attributes().get("actor"));
            assertEquals("infra-live", alert.attributes().get("repo"));
            assertEquals("run-7", alert.attributes().get("run_id"));
        }

        @Test
        void laterRunsByTheSameIdentityRaiseNothing() {
            detector.onEvent(submitted(CI));

            assertEquals(List.of(), feed(detector, List.of(submitted(CI), submitted(CI))));
        }

        @Test
        void eachNewIdentityIsReportedOnce() {
            List<Alert> alerts = feed(detector, List.of(submitted(CI), submitted(ALICE), submitted(CI), submitted(ALICE)));

            assertEquals(List.of(CI, ALICE), alerts.stream().map(a -> a.attributes().get("actor")).toList());
        }

        @Test
        void identitiesSeededFromTheStoreAreNotNew() {
            detector.seedKnownCallers(List.of(CI));

            assertEquals(List.of(), detector.onEvent(submitted(CI)));
            assertEquals(1, detector.onEvent(submitted(ALICE)).size());
        }

        @Test
        void otherActionsByAnUnknownIdentityDoNotMakeItKnown() {
            detector.onEvent(event(RUN_APPROVED).actor(CI).build());

            assertEquals(1, detector.onEvent(submitted(CI)).size());
        }

        @Test
        void aDisabledRuleRaisesNothing() {
            AnomalyDetector disabled = new AnomalyDetector(allDisabled(), clock);

            assertEquals(List.of(), disabled.onEvent(submitted(CI)));
        }
    }

    @Nested
    class ChangeWindowViolation {
        final AnomalyDetector detector = new AnomalyDetector(defaults(), clock);

        AuditEvent started(AuditAction action, String runId, String changesInfrastructure, String changeWindow) {
            return event(action).actor(CI).resource(new AuditResource("run", runId, "infra-live", runId))
                    .attributes(Map.of("changes_infrastructure", changesInfrastructure, "change_window", changeWindow,
                            "environment", "prod", "command", "apply"))
                    .build();
        }

        @Test
        void anInfrastructureChangeStartedWhileTheWindowIsClosedRaisesAnAlert() {
            AuditEvent event = started(RUN_STARTED, "run-9", "true", "closed");

            List<Alert> alerts = detector.onEvent(event);

            assertEquals(1, alerts.size());
            Alert alert = alerts.get(0);
            assertEquals("change_window_violation", alert.rule());
            assertEquals(Severity.HIGH, alert.severity());
            assertEquals("Run that changes infrastructure started outside its change window in prod, run run-9 of repo"
                    + " infra-live", alert.summary());
            assertEquals("apply", alert.attributes().get("event.command"));
            assertEquals(List.of(event.eventId()), alert.eventIds());
        }

        @Test
        void aTaskStartedWhileTheWindowIsClosedRaisesAnAlert() {
            assertEquals(1, detector.onEvent(started(TASK_STARTED, "run-9", "true", "closed")).size());
        }

        @Test
        void theRunAndItsTaskStartingAreOneViolation() {
            List<Alert> alerts = feed(detector, List.of(started(RUN_STARTED, "run-9", "true", "closed"),
                    started(TASK_STARTED, "run-9", "true", "closed")));

            assertEquals(1, alerts.size());
        }

        @Test
        void eachRunIsItsOwnViolation() {
            List<Alert> alerts = feed(detector, List.of(started(RUN_STARTED, "run-9", "true", "closed"),
                    started(RUN_STARTED, "run-10", "true", "closed")));

            assertEquals(2, alerts.size());
        }

        @Test
        void anOpenWindowRaisesNothing() {
            assertEquals(List.of(), detector.onEvent(started(RUN_STARTED, "run-9", "true", "open")));
        }

        @Test
        void aRunThatChangesNoInfrastructureRaisesNothing() {
            assertEquals(List.of(), detector.onEvent(started(RUN_STARTED, "run-9", "false", "closed")));
        }

        @Test
        void anEventWithoutTheAttributesRaisesNothing() {
            assertEquals(List.of(), detector.onEvent(event(RUN_STARTED).actor(CI).resource(RUN).build()));
        }

        @Test
        void aDisabledRuleRaisesNothing() {
            AnomalyDetector disabled = new AnomalyDetector(allDisabled(), clock);

            assertEquals(List.of(), disabled.onEvent(started(RUN_STARTED, "run-9", "true", "closed")));
        }
    }

    @Nested
    class SecretLeakAndBreakglass {
        final AnomalyDetector detector = new AnomalyDetector(defaults(), clock);

        @Test
        void everyLeakedSecretRaisesACriticalAlert() {
            AuditEvent leak = AuditEvent.builder("executor", SECRET_LEAK_DETECTED, clock.instant()).resource(RUN)
                    .attributes(Map.of("pattern", "aws_access_key_id")).build();

            List<Alert> first = detector.onEvent(leak);
            List<Alert> second = detector.onEvent(AuditEvent.builder("executor", SECRET_LEAK_DETECTED, clock.instant())
                    .resource(RUN).build());

            assertEquals(1, first.size());
            assertEquals(1, second.size());
            Alert alert = first.get(0);
            assertEquals("secret_leak", alert.rule());
            assertEquals(Severity.CRITICAL, alert.severity());
            assertEquals("Secret found in task output (masked), run run-7 of repo infra-live, reported by executor",
                    alert.summary());
            assertEquals("aws_access_key_id", alert.attributes().get("event.pattern"));
        }

        @Test
        void everyBreakglassUseRaisesAHighAlert() {
            AuditEvent used = event(BREAKGLASS_USED).actor(ALICE).resource(RUN)
                    .attributes(Map.of("justification", "INC-123 prod outage")).build();

            List<Alert> alerts = detector.onEvent(used);

            assertEquals(1, alerts.size());
            assertEquals("breakglass", alerts.get(0).rule());
            assertEquals(Severity.HIGH, alerts.get(0).severity());
            assertEquals("Break-glass access used by " + ALICE + ", run run-7 of repo infra-live", alerts.get(0).summary());
            assertEquals("INC-123 prod outage", alerts.get(0).attributes().get("event.justification"));
        }

        @Test
        void disabledRulesRaiseNothing() {
            AnomalyDetector disabled = new AnomalyDetector(allDisabled(), clock);

            assertEquals(List.of(), disabled.onEvent(event(BREAKGLASS_USED).actor(ALICE).build()));
            assertEquals(List.of(), disabled.onEvent(event(SECRET_LEAK_DETECTED).build()));
        }
    }

    @Nested
    class Summaries {
        final AnomalyDetector detector = new AnomalyDetector(defaults(), clock);

        @Test
        void controlCharactersInAnIdentityCannotBreakTheSummaryLine() {
            Alert alert = detector.onEvent(event(BREAKGLASS_USED).actor("spiffe://x/a\nFAKE: all clear\u0007").build()).get(0);

            assertEquals("Break-glass access used by spiffe://x/a?FAKE: all clear?", alert.summary());
        }

        @Test
        void aLongIdentityIsShortenedInTheSummaryButKeptInTheAttributes() {
            String actor = "spiffe://example.org/" + "a".repeat(2000);

            Alert alert = detector.onEvent(event(BREAKGLASS_USED).actor(actor).build()).get(0);

            assertTrue(alert.summary().length() < 300);
            assertTrue(alert.summary().endsWith("…"));
            assertEquals(actor, alert.attributes().get("actor"));
        }

        @Test
        void eventsNoRuleLooksAtRaiseNothing() {
            for (AuditAction action : List.of(RUN_APPROVED, POLICY_ALLOWED, AuditAction.CATALOG_LOADED)) {
                assertEquals(List.of(), detector.onEvent(event(action).actor(CI).build()));
            }
        }

        @Test
        void anEventFromTheFutureCountsAsNow() {
            // a writer whose clock runs a day ahead cannot keep its failures inside the window for a day
            Instant tomorrow = START.plus(Duration.ofDays(1));
            for (int i = 0; i < 4; i++) {
                detector.onEvent(AuditEvent.builder("gateway", AUTH_FAILED, tomorrow).actor(CI).build());
            }
            clock.advance(Duration.ofHours(1));

            List<Alert> alerts = detector.onEvent(AuditEvent.builder("gateway", AUTH_FAILED, tomorrow).actor(CI).build());

            assertEquals(List.of(), alerts);
        }
    }

    @Test
    void theSourceAddressHostIsTakenFromEveryFormTheGatewayWrites() {
        assertEquals("10.0.0.7", AnomalyDetector.hostOf("10.0.0.7:4431"));
        assertEquals("10.0.0.7", AnomalyDetector.hostOf("/10.0.0.7:4431"));
        assertEquals("2001:db8::1", AnomalyDetector.hostOf("[2001:db8::1]:4431"));
        assertEquals("2001:db8::1", AnomalyDetector.hostOf("2001:db8::1"));
        assertEquals("10.0.0.7", AnomalyDetector.hostOf("10.0.0.7"));
        assertEquals("", AnomalyDetector.hostOf(""));
    }

    @Test
    void windowsArePrintedAsPeopleWriteThem() {
        assertEquals("5m", AnomalyDetector.durationText(Duration.ofMinutes(5)));
        assertEquals("90s", AnomalyDetector.durationText(Duration.ofSeconds(90)));
        assertEquals("2h", AnomalyDetector.durationText(Duration.ofHours(2)));
        assertEquals("1500ms", AnomalyDetector.durationText(Duration.ofMillis(1500)));
    }

    @Test
    void idleIdentitiesAreForgottenSoMemoryStaysBounded() {
        BurstWindow window = new BurstWindow(5, Duration.ofMinutes(5));
        for (int i = 0; i < 1000; i++) {
            window.record("203.0.113." + i, START, UUID.randomUUID());
        }

        window.record("198.51.100.1", START.plus(Duration.ofMinutes(6)), UUID.randomUUID());

        assertEquals(1, window.trackedKeys());
        assertFalse(window.record("198.51.100.1", START.plus(Duration.ofMinutes(6)), UUID.randomUUID()).isPresent());
    }
}
