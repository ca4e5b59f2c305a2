package dev.portcullis.audit.alert;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.alert.Alert.Severity;
import dev.portcullis.audit.alert.BurstWindow.Hit;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Evaluates every ingested audit event against the configured anomaly rules (see
 * {@link AlertRule}) over sliding windows and says which alerts it raises. State is in memory
 * only. Thread-safe: calls are serialised.
 *
 * <p>Burst windows run on the events' own times, so a backlog that an outbox delivers late (after
 * an audit outage) is judged by when things happened, not by when they arrived; a time ahead of
 * this service's clock is taken as now, so a writer with a fast clock cannot stretch a window.
 *
 * <p>{@code new_caller} remembers the identities that have submitted runs. The service seeds that
 * memory at start from its store with {@link #seedKnownCallers}; without seeding, every caller is
 * new once after a restart. Each replica has its own memory, so with several replicas a new
 * caller can be reported once per replica.
 */
public final class AnomalyDetector implements AnomalyRules {
    /** How many runs are remembered as already reported for {@code change_window_violation}. */
    static final int REMEMBERED_RUNS = 10_000;
    private static final int MAX_SUMMARY_VALUE = 256;

    private final AlertRulesConfig config;
    private final Clock clock;
    // all mutable state below is guarded by this
    private final BurstWindow authFailuresByActor;
    private final BurstWindow authFailuresByAddress;
    private final BurstWindow denialsByActor;
    private final Set<String> knownCallers = new HashSet<>();
    private final Set<String> reportedRuns = Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED_RUNS;
        }
    });

    public AnomalyDetector(AlertRulesConfig config, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.authFailuresByActor = new BurstWindow(config.authFailureBurstThreshold(), config.authFailureBurstWindow());
        this.authFailuresByAddress = new BurstWindow(config.authFailureBurstThreshold(), config.authFailureBurstWindow());
        this.denialsByActor = new BurstWindow(config.denialBurstThreshold(), config.denialBurstWindow());
    }

    /**
     * Remembers {@code actors} as identities that have submitted runs before, so {@code new_caller}
     * does not report them. The service calls this at start with the actors of the stored
     * {@code run.submitted} events; calling it again adds to what is known.
     */
    public synchronized void seedKnownCallers(Collection<String> actors) {
        actors.forEach(actor -> knownCallers.add(requireNonNull(actor, "actor is null")));
    }

    /**
     * The alerts {@code event} raises, usually none. Call once per newly stored event, in chain
     * order; an event offered twice is counted twice. Never blocks on I/O.
     */
    @Override
    public synchronized List<Alert> onEvent(AuditEvent event) {
        requireNonNull(event, "event is null");
        Instant now = clock.instant();
        Instant time = event.time().isAfter(now) ? now : event.time();
        List<Alert> alerts = new ArrayList<>(1);
        switch (event.action()) {
            case AUTH_FAILED -> {
                if (config.authFailureBurstEnabled()) {
                    authFailureBurst(event, time, now).ifPresent(alerts::add);
                }
            }
            case POLICY_DENIED -> {
                if (config.denialBurstEnabled()) {
                    denialBurst(event, time, now).ifPresent(alerts::add);
                }
            }
            case RUN_SUBMITTED -> {
                if (config.newCallerEnabled()) {
                    newCaller(event, now).ifPresent(alerts::add);
                }
            }
            case RUN_STARTED, TASK_STARTED -> {
                if (config.changeWindowViolationEnabled()) {
                    changeWindowViolation(event, now).ifPresent(alerts::add);
                }
            }
            case SECRET_LEAK_DETECTED -> {
                if (config.secretLeakEnabled()) {
                    alerts.add(secretLeak(event, now));
                }
            }
            case BREAKGLASS_USED -> {
                if (config.breakglassEnabled()) {
                    alerts.add(breakglass(event, now));
                }
            }
            default -> {
                // no rule looks at this action
            }
        }
        return List.copyOf(alerts);
    }

    private Optional<Alert> authFailureBurst(AuditEvent event, Instant time, Instant now) {
        String address = hostOf(event.sourceAddress());
        Optional<List<Hit>> byActor = event.actor().isEmpty()
                ? Optional.empty() : authFailuresByActor.record(event.actor(), time, event.eventId());
        Optional<List<Hit>> byAddress = address.isEmpty()
                ? Optional.empty() : authFailuresByAddress.record(address, time, event.eventId());
        if (byActor.isEmpty() && byAddress.isEmpty()) {
            return Optional.empty();
        }
        // one burst seen both ways is one alert
        Map<String, String> attributes = new HashMap<>();
        StringBuilder who = new StringBuilder();
        int failures = 0;
        Set<Hit> hits = new LinkedHashSet<>();
        if (byActor.isPresent()) {
            attributes.put("actor", event.actor());
            who.append(" by ").append(plain(event.actor()));
            failures = byActor.get().size();
            hits.addAll(byActor.get());
        }
        if (byAddress.isPresent()) {
            attributes.put("source_ip", address);
            who.append(" from ").append(plain(address));
            failures = Math.max(failures, byAddress.get().size());
            hits.addAll(byAddress.get());
        }
        Duration window = config.authFailureBurstWindow();
        attributes.put("failures", Integer.toString(failures));
        attributes.put("window", durationText(window));
        String summary = failures + " failed authentications" + who + " within " + durationText(window);
        return Optional.of(new Alert(AlertRule.AUTH_FAILURE_BURST.ruleName(), Severity.HIGH, summary,
                idsInTimeOrder(hits), attributes, now));
    }

    private Optional<Alert> denialBurst(AuditEvent event, Instant time, Instant now) {
        if (event.actor().isEmpty()) {
            return Optional.empty(); // nobody to attribute the burst to
        }
        return denialsByActor.record(event.actor(), time, event.eventId()).map(hits -> {
            Duration window = config.denialBurstWindow();
            Map<String, String> attributes = Map.of(
                    "actor", event.actor(),
                    "denials", Integer.toString(hits.size()),
                    "window", durationText(window));
            String summary = hits.size() + " policy denials for " + plain(event.actor()) + " within "
                    + durationText(window);
            return new Alert(AlertRule.DENIAL_BURST.ruleName(), Severity.MEDIUM, summary,
                    idsInTimeOrder(hits), attributes, now);
        });
    }

    private Optional<Alert> newCaller(AuditEvent event, Instant now) {
        if (event.actor().isEmpty() || !knownCallers.add(event.actor())) {
            return Optional.empty();
        }
        String summary = "First run submitted by " + plain(event.actor()) + where(event);
        return Optional.of(single(AlertRule.NEW_CALLER, Severity.MEDIUM, summary, event, now));
    }

    private Optional<Alert> changeWindowViolation(AuditEvent event, Instant now) {
        Map<String, String> eventAttributes = event.attributes();
        if (!"true".equals(eventAttributes.get("changes_infrastructure"))
                || !"closed".equals(eventAttributes.get("change_window"))) {
            return Optional.empty();
        }
        String runId = event.resource().runId();
        // a run reports run.started and then task.started: one violation, one alert
        if (!runId.isEmpty() && !reportedRuns.add(runId)) {
            return Optional.empty();
        }
        String what = event.action() == AuditAction.RUN_STARTED ? "Run" : "Task";
        String environment = eventAttributes.getOrDefault("environment", "");
        String summary = what + " that changes infrastructure started outside its change window"
                + (environment.isEmpty() ? "" : " in " + plain(environment)) + where(event);
        return Optional.of(single(AlertRule.CHANGE_WINDOW_VIOLATION, Severity.HIGH, summary, event, now));
    }

    private Alert secretLeak(AuditEvent event, Instant now) {
        String summary = "Secret found in task output (masked)" + where(event) + ", reported by " + plain(event.service());
        return single(AlertRule.SECRET_LEAK, Severity.CRITICAL, summary, event, now);
    }

    private Alert breakglass(AuditEvent event, Instant now) {
        String by = event.actor().isEmpty() ? "" : " by " + plain(event.actor());
        String summary = "Break-glass access used" + by + where(event);
        return single(AlertRule.BREAKGLASS, Severity.HIGH, summary, event, now);
    }

    /** An alert raised by one event: it carries the event's attributes for triage, as {@code event.*}. */
    static Alert single(AlertRule rule, Severity severity, String summary, AuditEvent event, Instant now) {
        Map<String, String> attributes = new HashMap<>();
        event.attributes().forEach((key, value) -> attributes.put("event." + key, value));
        putIfPresent(attributes, "actor", event.actor());
        putIfPresent(attributes, "service", event.service());
        putIfPresent(attributes, "action", event.action().dottedName());
        putIfPresent(attributes, "repo", event.resource().repo());
        putIfPresent(attributes, "run_id", event.resource().runId());
        putIfPresent(attributes, "source_address", event.sourceAddress());
        putIfPresent(attributes, "trace_id", event.traceId());
        return new Alert(rule.ruleName(), severity, summary, List.of(event.eventId()), attributes, now);
    }

    private static void putIfPresent(Map<String, String> attributes, String key, String value) {
        if (!value.isEmpty()) {
            attributes.put(key, value);
        }
    }

    /** ", run R of repo X", or the part of it that is known. */
    static String where(AuditEvent event) {
        String runId = event.resource().runId();
        String repo = event.resource().repo();
        if (!runId.isEmpty() && !repo.isEmpty()) {
            return ", run " + plain(runId) + " of repo " + plain(repo);
        }
        if (!runId.isEmpty()) {
            return ", run " + plain(runId);
        }
        return repo.isEmpty() ? "" : ", repo " + plain(repo);
    }

    static List<UUID> idsInTimeOrder(Collection<Hit> hits) {
        return hits.stream().sorted(Comparator.comparing(Hit::time)).map(Hit::eventId).distinct().toList();
    }

    /**
     * The host part of "ip:port", "[v6]:port" or a bare address; a leading "/" (as
     * {@code InetSocketAddress} prints) is dropped.
     */
    static String hostOf(String sourceAddress) {
        String address = sourceAddress.startsWith("/") ? sourceAddress.substring(1) : sourceAddress;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            return close < 0 ? address : address.substring(1, close);
        }
        int colon = address.indexOf(':');
        if (colon >= 0 && colon == address.lastIndexOf(':')) {
            return address.substring(0, colon);
        }
        return address; // a bare IPv4 address, or an IPv6 address without a port
    }

    /** "5m", "90s", "2h": how people write a window. */
    static String durationText(Duration duration) {
        long seconds = duration.getSeconds();
        if (duration.getNano() != 0) {
            return duration.toMillis() + "ms";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    /** {@code value} fit for a one-line summary: control characters replaced, length bounded. */
    static String plain(String value) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_SUMMARY_VALUE + 1));
        for (int i = 0; i < value.length() && out.length() < MAX_SUMMARY_VALUE; i++) {
            char c = value.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        if (value.length() > MAX_SUMMARY_VALUE) {
            out.append('…');
        }
        return out.toString();
    }
}
