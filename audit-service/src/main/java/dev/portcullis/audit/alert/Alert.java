package dev.portcullis.audit.alert;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * An anomaly an alert rule found. Immutable; safe to post to a chat channel as a whole: the
 * summary is one line of plain words and the attributes come from secret-free audit events.
 *
 * @param rule the rule's name, e.g. {@code auth_failure_burst} (see {@link AlertRule}); lowercase
 *     letters, digits and underscores, at most 64 characters
 * @param severity how urgent it is
 * @param summary one line, at most {@value #MAX_SUMMARY} characters, no control characters
 * @param eventIds the audit events that raised it, oldest first
 * @param attributes further details (identity, address, repo, window, count, …)
 * @param raisedAt when the rule raised it; kept to the millisecond, as it is stored
 */
public record Alert(String rule, Severity severity, String summary, List<UUID> eventIds,
        Map<String, String> attributes, Instant raisedAt) {
    public static final int MAX_SUMMARY = 1024;
    private static final Pattern RULE = Pattern.compile("[a-z][a-z0-9_]{0,63}");

    /** How urgent an alert is; mirrors {@code portcullis.v1.AlertSeverity}. */
    public enum Severity {
        /** Worth a look. */
        LOW,
        /** Look today. */
        MEDIUM,
        /** Look now. */
        HIGH,
        /** Wake someone. */
        CRITICAL
    }

    public Alert {
        requireNonNull(rule, "rule is null");
        requireNonNull(severity, "severity is null");
        requireNonNull(summary, "summary is null");
        eventIds = List.copyOf(eventIds);
        attributes = Map.copyOf(attributes);
        requireNonNull(raisedAt, "raisedAt is null");
        if (!RULE.matcher(rule).matches()) {
            throw new IllegalArgumentException("rule must be 1-64 lowercase letters, digits or underscores");
        }
        if (summary.isEmpty() || summary.length() > MAX_SUMMARY || summary.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("summary must be one line of 1-" + MAX_SUMMARY + " characters");
        }
        raisedAt = Instant.ofEpochMilli(raisedAt.toEpochMilli());
    }
}
