package dev.portcullis.audit.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.audit.alert.Alert.Severity;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The drift rules on events as the gateway's DriftAudit writes them. */
class DriftRulesTest {
    static final String SHA = "0123456789abcdef0123456789abcdef01234567";
    static final String PROD_NETWORK = "infra-live:prod/network:prod";

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-12-07T09:00:00Z"));
    private final DriftRules rules = new DriftRules(DriftRulesConfig.defaults(), clock);

    private AuditEvent event(AuditAction action, String folder, Map<String, String> extra) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("repo", "infra-live");
        attributes.put("folder", folder);
        attributes.put("environment", "prod");
        attributes.put("command", "plan");
        attributes.put("ref", "refs/heads/main");
        attributes.put("commit_sha", SHA);
        attributes.putAll(extra);
        clock.advance(Duration.ofMinutes(30));
        return AuditEvent.builder("gateway", action, clock.instant())
                .eventId(UUID.randomUUID())
                .actor("spiffe://example.org/portcullis/drift-scheduler")
                .resource(new AuditResource("drift_target", "infra-live:" + folder + ":prod", "infra-live", "run-1"))
                .outcome(action == AuditAction.DRIFT_CHECK_FAILED ? AuditOutcome.FAILURE : AuditOutcome.SUCCESS)
                .reason(action == AuditAction.DRIFT_CHECK_FAILED ? "RUN_FAILED" : "")
                .attributes(attributes)
                .build();
    }

    private static Map<String, String> plan(long create, long update, long delete, long replace, String addresses) {
        return Map.of("plan_create", Long.toString(create), "plan_update", Long.toString(update),
                "plan_delete", Long.toString(delete), "plan_replace", Long.toString(replace), "plan_has_changes", "true",
                "drift_count", "1", "addresses", addresses, "addresses_not_listed", "0");
    }

    private AuditEvent detected(Map<String, String> plan) {
        return event(AuditAction.DRIFT_DETECTED, "prod/network", plan);
    }

    private AuditEvent failed(String folder, int consecutiveFailures) {
        return event(AuditAction.DRIFT_CHECK_FAILED, folder, Map.of("consecutive_failures", Integer.toString(consecutiveFailures)));
    }

    private List<String> raised(AuditEvent event) {
        return rules.onEvent(event).stream().map(Alert::rule).toList();
    }

    @Test
    void driftThatWouldOnlyCreateOrUpdateIsMedium() {
        List<Alert> alerts = rules.onEvent(detected(plan(1, 2, 0, 0, "aws_s3_bucket.logs")));

        assertEquals(1, alerts.size());
        assertEquals("drift_detected", alerts.get(0).rule());
        assertEquals(Severity.MEDIUM, alerts.get(0).severity());
    }

    @Test
    void driftThatWouldDeleteOrReplaceIsHigh() {
        Alert deletes = rules.onEvent(detected(plan(0, 0, 1, 0, "aws_s3_bucket.logs"))).get(0);
        Alert replaces = rules.onEvent(detected(plan(0, 0, 0, 1, "aws_s3_bucket.logs"))).get(0);

        assertEquals(Severity.HIGH, deletes.severity());
        assertEquals(Severity.HIGH, replaces.severity());
    }

    @Test
    void driftWithUnreadableCountsIsHigh() {
        Alert alert = rules.onEvent(detected(Map.of("addresses", "aws_s3_bucket.logs"))).get(0);

        assertEquals(Severity.HIGH, alert.severity());
    }

    @Test
    void theDriftAlertNamesTheTargetCommitCountsAndFirstAddressesButNoValue() {
        Map<String, String> attributes = new LinkedHashMap<>(plan(1, 0, 2, 0,
                "aws_s3_bucket.a,aws_s3_bucket.b,aws_s3_bucket.c,aws_s3_bucket.d,aws_s3_bucket.e,aws_s3_bucket.f"));
        attributes.put("addresses_not_listed", "3");
        attributes.put("password", "hunter2-value"); // never written by the gateway; must not leak if it were

        Alert alert = rules.onEvent(detected(attributes)).get(0);

        assertEquals("Drift in repo infra-live, folder prod/network, environment prod at commit 0123456789ab: 1 to create,"
                + " 0 to update, 2 to delete, 0 to replace, 1 drifted; aws_s3_bucket.a, aws_s3_bucket.b, aws_s3_bucket.c,"
                + " aws_s3_bucket.d, aws_s3_bucket.e and 4 more", alert.summary());
        assertEquals(PROD_NETWORK, alert.attributes().get("target"));
        assertEquals(SHA, alert.attributes().get("commit_sha"));
        assertEquals("2", alert.attributes().get("plan_delete"));
        assertEquals("4", alert.attributes().get("addresses_not_shown"));
        assertFalse(alert.summary().contains("hunter2"));
        assertFalse(alert.attributes().values().stream().anyMatch(value -> value.contains("hunter2")), alert.attributes().toString());
    }

    @Test
    void theDriftAlertCanBeSwitchedOff() {
        DriftRules off = new DriftRules(new DriftRulesConfig(false, true, 3), clock);

        assertEquals(List.of(), off.onEvent(detected(plan(0, 0, 1, 0, "aws_s3_bucket.logs"))));
    }

    @Test
    void aClearedCheckRaisesNothing() {
        assertEquals(List.of(), raised(event(AuditAction.DRIFT_CLEARED, "prod/network", Map.of())));
    }

    @Test
    void threeFailuresInARowAlertOnceAsMedium() {
        List<Alert> alerts = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            alerts.addAll(rules.onEvent(failed("prod/network", i)));
        }

        assertEquals(1, alerts.size());
        Alert alert = alerts.get(0);
        assertEquals("drift_check_failing", alert.rule());
        assertEquals(Severity.MEDIUM, alert.severity());
        assertEquals(3, alert.eventIds().size());
        assertEquals("Drift check of repo infra-live, folder prod/network, environment prod failed 3 times in a row"
                + " (last: RUN_FAILED)", alert.summary());
        assertEquals(PROD_NETWORK, alert.attributes().get("target"));
    }

    @Test
    void aDetectedDriftBetweenFailuresResetsTheCount() {
        List<String> alerts = new ArrayList<>();
        alerts.addAll(raised(failed("prod/network", 1)));
        alerts.addAll(raised(failed("prod/network", 2)));
        alerts.addAll(raised(detected(plan(1, 0, 0, 0, "aws_s3_bucket.logs"))));
        alerts.addAll(raised(failed("prod/network", 1)));
        alerts.addAll(raised(failed("prod/network", 2)));

        assertEquals(List.of("drift_detected"), alerts);
    }

    @Test
    void aCleanCheckThatLeftNoEventResetsTheCountByTheGatewaysCount() {
        List<String> alerts = new ArrayList<>();
        alerts.addAll(raised(failed("prod/network", 1)));
        alerts.addAll(raised(failed("prod/network", 2)));
        // an in_sync check after failures is not audited; the gateway's count starts again
        alerts.addAll(raised(failed("prod/network", 1)));
        alerts.addAll(raised(failed("prod/network", 2)));

        assertEquals(List.of(), alerts);
        assertEquals(List.of("drift_check_failing"), raised(failed("prod/network", 3)));
    }

    @Test
    void aNewStreakAfterAReportedOneAlertsAgain() {
        for (int i = 1; i <= 3; i++) {
            raised(failed("prod/network", i));
        }
        raised(event(AuditAction.DRIFT_CLEARED, "prod/network", Map.of()));

        List<String> again = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            again.addAll(raised(failed("prod/network", i)));
        }

        assertEquals(List.of("drift_check_failing"), again);
    }

    @Test
    void failuresWithoutTheGatewaysCountAreCountedHere() {
        List<String> alerts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            alerts.addAll(raised(event(AuditAction.DRIFT_CHECK_FAILED, "prod/network", Map.of())));
        }

        assertEquals(List.of("drift_check_failing"), alerts);
    }

    @Test
    void failuresOfDifferentTargetsAreCountedApart() {
        List<String> alerts = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            alerts.addAll(raised(failed("prod/network", i)));
            alerts.addAll(raised(failed("prod/dns", i)));
        }

        assertEquals(List.of(), alerts);
        assertEquals(2, rules.followedTargets());
    }

    @Test
    void theThresholdIsConfigurable() {
        DriftRules afterOne = new DriftRules(new DriftRulesConfig(true, true, 1), clock);

        List<Alert> alerts = afterOne.onEvent(failed("prod/network", 1));

        assertEquals(1, alerts.size());
        assertEquals("Drift check of repo infra-live, folder prod/network, environment prod failed (last: RUN_FAILED)",
                alerts.get(0).summary());
    }

    @Test
    void theFailingAlertCanBeSwitchedOff() {
        DriftRules off = new DriftRules(new DriftRulesConfig(true, false, 1), clock);

        assertEquals(List.of(), off.onEvent(failed("prod/network", 1)));
    }

    @Test
    void aStreakReportedBeforeARestartIsNotReportedAgainAfterSeeding() {
        List<AuditEvent> stored = List.of(failed("prod/network", 1), failed("prod/network", 2), failed("prod/network", 3));
        DriftRules restarted = new DriftRules(DriftRulesConfig.defaults(), clock);

        restarted.seed(stored);

        assertEquals(List.of(), restarted.onEvent(failed("prod/network", 4)));
    }

    @Test
    void aThresholdOutOfBoundsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DriftRules(new DriftRulesConfig(true, true, 0), clock));
        assertThrows(IllegalArgumentException.class,
                () -> new DriftRules(new DriftRulesConfig(true, true, DriftRulesConfig.MAX_FAILURES + 1), clock));
        assertEquals(0, new DriftRules(new DriftRulesConfig(true, true, DriftRulesConfig.MAX_FAILURES), clock).followedTargets());
    }
}
