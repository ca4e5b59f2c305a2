package dev.portcullis.audit.alert;

import static dev.portcullis.audit.alert.AnomalyDetector.plain;
import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.alert.Alert.Severity;
import dev.portcullis.runtime.audit.AuditEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The alert rules over the gateway's drift checks (see {@link AlertRule}): {@code drift_detected}
 * on every {@code drift.detected} event, HIGH when the plan would delete or replace anything (or
 * its counts cannot be read), MEDIUM otherwise; and {@code drift_check_failing} once per streak of
 * {@code drift.check_failed} events for one target that reaches the configured threshold.
 *
 * <p>Alerts carry only what the events carry: the target, the commit, the plan's counts and
 * resource addresses, never a value (the gateway puts none in the events, and the rules copy
 * attributes by name, never wholesale).
 *
 * <p>A streak ends with a completed check. The gateway audits a completed check only when it is
 * drifted ({@code drift.detected}) or the first clean one after drift ({@code drift.cleared}); a
 * clean check after failures leaves no event, so the rule also reads the gateway's own count,
 * {@code consecutive_failures}, on every failure: a count that does not grow starts a new streak.
 * Streaks live in memory, bounded, and are seeded at start from the stored drift events with
 * {@link #seed}, like the other stateful rules. Thread-safe: calls are serialised.
 */
public final class DriftRules implements AnomalyRules {
    /** How many resource addresses an alert's summary names; the rest are counted. */
    static final int ADDRESSES_SHOWN = 5;
    /** How many targets' streaks are remembered (the least recently seen go first). */
    static final int MAX_TARGETS = 100_000;

    private final DriftRulesConfig config;
    private final Clock clock;
    // guarded by this; least recently seen first
    private final Map<String, Streak> streaks = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Streak> eldest) {
            return size() > MAX_TARGETS;
        }
    };

    public DriftRules(DriftRulesConfig config, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        if (config.driftCheckFailingThreshold() < 1 || config.driftCheckFailingThreshold() > DriftRulesConfig.MAX_FAILURES) {
            throw new IllegalArgumentException("drift-check-failing-threshold must be 1-" + DriftRulesConfig.MAX_FAILURES);
        }
    }

    /**
     * Follows stored drift events, oldest first, as if they had just arrived but without raising
     * alerts, so a streak already reported is not reported again; the service calls this at start.
     */
    public synchronized void seed(Collection<AuditEvent> events) {
        events.forEach(this::follow);
    }

    @Override
    public synchronized List<Alert> onEvent(AuditEvent event) {
        requireNonNull(event, "event is null");
        Instant now = clock.instant();
        return switch (event.action()) {
            case DRIFT_DETECTED -> {
                follow(event);
                yield config.driftDetectedEnabled() ? List.of(driftDetected(event, now)) : List.of();
            }
            case DRIFT_CLEARED -> {
                follow(event);
                yield List.of();
            }
            case DRIFT_CHECK_FAILED -> {
                Optional<List<UUID>> streak = follow(event);
                yield config.driftCheckFailingEnabled() && streak.isPresent()
                        ? List.of(checkFailing(event, streak.get(), now))
                        : List.of();
            }
            default -> List.of();
        };
    }

    /** How many targets are followed now. */
    synchronized int followedTargets() {
        return streaks.size();
    }

    /**
     * Updates the target's streak with {@code event}.
     *
     * @return the events of the streak this failure brings to the threshold, when it is not reported yet
     */
    private Optional<List<UUID>> follow(AuditEvent event) {
        String target = target(event);
        switch (event.action()) {
            case DRIFT_DETECTED, DRIFT_CLEARED -> {
                streaks.remove(target);
                return Optional.empty();
            }
            case DRIFT_CHECK_FAILED -> {
                Streak streak = streaks.computeIfAbsent(target, t -> new Streak());
                int failures = gatewayCount(event).orElse(streak.failures + 1);
                if (failures <= streak.failures) {
                    streak = new Streak(); // a check completed in between without an event
                    streaks.put(target, streak);
                }
                streak.failures = failures;
                streak.eventIds.add(event.eventId());
                if (streak.eventIds.size() > config.driftCheckFailingThreshold()) {
                    streak.eventIds.remove(0);
                }
                if (streak.reported || failures < config.driftCheckFailingThreshold()) {
                    return Optional.empty();
                }
                streak.reported = true;
                return Optional.of(List.copyOf(streak.eventIds));
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    private Alert driftDetected(AuditEvent event, Instant now) {
        Map<String, String> from = event.attributes();
        Optional<Long> deletes = count(from, "plan_delete");
        Optional<Long> replaces = count(from, "plan_replace");
        // counts that cannot be read might hide a deletion: err towards urgency
        boolean destructive = deletes.isEmpty() || replaces.isEmpty() || deletes.get() > 0 || replaces.get() > 0;
        List<String> addresses = addresses(from);
        long notShown = Math.max(0, addresses.size() - ADDRESSES_SHOWN) + count(from, "addresses_not_listed").orElse(0L);
        List<String> shown = addresses.subList(0, Math.min(ADDRESSES_SHOWN, addresses.size()));

        StringBuilder summary = new StringBuilder("Drift in ").append(targetText(event));
        String commit = from.getOrDefault("commit_sha", "");
        if (!commit.isEmpty()) {
            summary.append(" at commit ").append(plain(commit.substring(0, Math.min(12, commit.length()))));
        }
        summary.append(": ").append(countText(from, "plan_create")).append(" to create, ")
                .append(countText(from, "plan_update")).append(" to update, ")
                .append(countText(from, "plan_delete")).append(" to delete, ")
                .append(countText(from, "plan_replace")).append(" to replace, ")
                .append(countText(from, "drift_count")).append(" drifted");
        if (!shown.isEmpty()) {
            summary.append("; ").append(String.join(", ", shown.stream().map(AnomalyDetector::plain).toList()));
            if (notShown > 0) {
                summary.append(" and ").append(notShown).append(" more");
            }
        }

        Map<String, String> attributes = targetAttributes(event);
        for (String key : List.of("commit_sha", "plan_create", "plan_update", "plan_delete", "plan_replace", "drift_count")) {
            putIfPresent(attributes, key, from.getOrDefault(key, ""));
        }
        putIfPresent(attributes, "addresses", String.join(",", shown));
        attributes.put("addresses_not_shown", Long.toString(notShown));
        return new Alert(AlertRule.DRIFT_DETECTED.ruleName(), destructive ? Severity.HIGH : Severity.MEDIUM,
                oneLine(summary), List.of(event.eventId()), attributes, now);
    }

    private Alert checkFailing(AuditEvent event, List<UUID> eventIds, Instant now) {
        int failures = config.driftCheckFailingThreshold();
        String reason = event.reason();
        StringBuilder summary = new StringBuilder("Drift check of ").append(targetText(event)).append(" failed")
                .append(failures == 1 ? "" : " " + failures + " times in a row");
        if (!reason.isEmpty()) {
            summary.append(" (last: ").append(plain(reason)).append(')');
        }
        Map<String, String> attributes = targetAttributes(event);
        attributes.put("failures", Integer.toString(failures));
        putIfPresent(attributes, "reason", reason);
        return new Alert(AlertRule.DRIFT_CHECK_FAILING.ruleName(), Severity.MEDIUM, oneLine(summary), eventIds, attributes,
                now);
    }

    /** The target's key: the event's resource ({@code REPO:FOLDER:ENVIRONMENT}), else its attributes. */
    private static String target(AuditEvent event) {
        if ("drift_target".equals(event.resource().kind()) && !event.resource().id().isEmpty()) {
            return event.resource().id();
        }
        Map<String, String> from = event.attributes();
        return from.getOrDefault("repo", event.resource().repo()) + ":" + from.getOrDefault("folder", "") + ":"
                + from.getOrDefault("environment", "");
    }

    private static String targetText(AuditEvent event) {
        Map<String, String> from = event.attributes();
        return "repo " + plain(from.getOrDefault("repo", event.resource().repo())) + ", folder "
                + plain(from.getOrDefault("folder", "?")) + ", environment " + plain(from.getOrDefault("environment", "?"));
    }

    private static Map<String, String> targetAttributes(AuditEvent event) {
        Map<String, String> from = event.attributes();
        Map<String, String> attributes = new HashMap<>();
        putIfPresent(attributes, "target", target(event));
        putIfPresent(attributes, "repo", from.getOrDefault("repo", event.resource().repo()));
        for (String key : List.of("folder", "environment", "ref", "command")) {
            putIfPresent(attributes, key, from.getOrDefault(key, ""));
        }
        putIfPresent(attributes, "run_id", event.resource().runId());
        putIfPresent(attributes, "trace_id", event.traceId());
        return attributes;
    }

    /** The gateway's count of failures in a row, when the event carries a readable one. */
    private static Optional<Integer> gatewayCount(AuditEvent event) {
        return count(event.attributes(), "consecutive_failures")
                .filter(count -> count > 0)
                .map(count -> (int) Math.min(count, Integer.MAX_VALUE));
    }

    private static Optional<Long> count(Map<String, String> attributes, String key) {
        String value = attributes.getOrDefault(key, "");
        if (!value.matches("[0-9]{1,18}")) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(value));
    }

    private static String countText(Map<String, String> attributes, String key) {
        return count(attributes, key).map(String::valueOf).orElse("?");
    }

    private static List<String> addresses(Map<String, String> attributes) {
        List<String> addresses = new ArrayList<>();
        for (String address : attributes.getOrDefault("addresses", "").split(",")) {
            if (!address.isBlank()) {
                addresses.add(address.strip());
            }
        }
        return addresses;
    }

    private static void putIfPresent(Map<String, String> attributes, String key, String value) {
        if (!value.isEmpty()) {
            attributes.put(key, value);
        }
    }

    /** The summary cut to an alert's bound. */
    private static String oneLine(StringBuilder summary) {
        return summary.length() <= Alert.MAX_SUMMARY ? summary.toString()
                : summary.substring(0, Alert.MAX_SUMMARY - 1) + "…";
    }

    /** One target's failures in a row and the newest of their events. */
    private static final class Streak {
        private final List<UUID> eventIds = new ArrayList<>();
        private int failures;
        private boolean reported;
    }
}
