package dev.portcullis.console.alerts;

import static dev.portcullis.console.web.Html.text;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import dev.portcullis.console.api.AuditCalls;
import dev.portcullis.console.api.CallRefusedException;
import dev.portcullis.console.runs.RunPages;
import dev.portcullis.console.web.EventStream;
import dev.portcullis.console.web.Layout;
import dev.portcullis.console.web.Route;
import dev.portcullis.console.web.Session;
import dev.portcullis.console.web.WebRequest;
import dev.portcullis.console.web.WebResponse;
import dev.portcullis.v1.Alert;
import dev.portcullis.v1.AlertSeverity;
import dev.portcullis.v1.ListAlertsRequest;
import dev.portcullis.v1.ListAlertsResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The alerts the audit service's anomaly rules raised, newest first, a page at a time, and, on the
 * first page, new ones as they are raised: {@code /alerts/events} relays {@code WatchAlerts} as
 * server-sent events (id = the alert's sequence, so a reconnecting browser resumes after the last
 * one it has). Severity is a word on the page, not only a colour. An alert naming a run links to it.
 */
public final class AlertPages {
    private static final int PAGE_SIZE = 50;
    /** One event stream lasts at most this long; the browser then reconnects where it left off. */
    private static final Duration STREAM_FOR = Duration.ofMinutes(10);
    private static final Pattern RUN_ID = Pattern.compile("[0-9a-fA-F-]{1,64}");
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    private final AuditCalls audit;

    public AlertPages(AuditCalls audit) {
        this.audit = requireNonNull(audit, "audit is null");
    }

    public List<Route> routes() {
        return List.of(Route.of("GET", "/alerts", (request, path) -> RunPages.signedIn(request, session -> list(request, session))));
    }

    public List<EventStream> streams() {
        return List.of(EventStream.of("/alerts/events", this::events));
    }

    private WebResponse list(WebRequest request, Session session) {
        ListAlertsRequest.Builder query = ListAlertsRequest.newBuilder().setPageSize(PAGE_SIZE);
        request.queryValue("rule").ifPresent(query::setRule);
        request.queryValue("page").ifPresent(query::setPageToken);
        ListAlertsResponse alerts;
        try {
            alerts = audit.alerts(session.user().idToken(), query.build());
        } catch (CallRefusedException e) {
            return RunPages.refused(request, session, "Alerts", e, "/alerts");
        }
        StringBuilder body = new StringBuilder();
        body.append("<form class=\"filters\" method=\"get\" action=\"/alerts\" role=\"search\" aria-label=\"Filter alerts\">")
                .append(RunPages.field("rule", "Rule", request.queryValue("rule").orElse("")))
                .append("<button type=\"submit\">Filter</button></form>\n");
        boolean live = request.queryValue("page").isEmpty();
        long newest = alerts.getAlertsList().stream().mapToLong(Alert::getSequence).max().orElse(0);
        if (live) {
            body.append("<p id=\"alerts-status\" aria-live=\"polite\">New alerts appear here as they are raised.</p>");
        }
        if (alerts.getAlertsCount() == 0) {
            body.append("<p id=\"no-alerts\">No alerts.</p>");
        }
        body.append("<div class=\"scroll\"><table><caption>Alerts, newest first</caption><thead><tr>")
                .append("<th scope=\"col\">Seq</th><th scope=\"col\">Raised</th><th scope=\"col\">Severity</th>")
                .append("<th scope=\"col\">Rule</th><th scope=\"col\">Summary</th><th scope=\"col\">Run</th>")
                .append("<th scope=\"col\">Attributes</th></tr></thead><tbody id=\"alerts\"");
        if (live) {
            // the script follows new alerts only on the first page: later pages are history
            body.append(" data-after=\"").append(newest).append("\" data-rule=\"").append(text(request.queryValue("rule").orElse("")))
                    .append('"');
        }
        body.append('>');
        for (Alert alert : alerts.getAlertsList()) {
            row(body, alert);
        }
        body.append("</tbody></table></div>");
        if (!alerts.getNextPageToken().isEmpty()) {
            Map<String, String> next = new LinkedHashMap<>();
            request.queryValue("rule").ifPresent(rule -> next.put("rule", rule));
            next.put("page", alerts.getNextPageToken());
            body.append("<p><a rel=\"next\" href=\"/alerts?").append(text(RunPages.query(next))).append("\">Next page</a></p>");
        }
        return WebResponse.html(200, Layout.page("Alerts", Optional.of(session), body.toString()));
    }

    private static void row(StringBuilder body, Alert alert) {
        String severity = severity(alert.getSeverity());
        body.append("<tr><td>").append(alert.getSequence()).append("</td><td>").append(text(time(alert.getRaisedAt())))
                .append("</td><td><span class=\"severity severity-").append(severity.toLowerCase(java.util.Locale.ROOT)).append("\">")
                .append(severity).append("</span></td><td>").append(text(alert.getRule())).append("</td><td>")
                .append(text(alert.getSummary())).append("</td><td>");
        runId(alert).ifPresent(run -> body.append("<a href=\"/runs/").append(text(run)).append("\">").append(text(run)).append("</a>"));
        body.append("</td><td>");
        if (alert.getAttributesCount() > 0) {
            body.append("<dl class=\"attributes\">");
            new TreeMap<>(alert.getAttributesMap()).forEach((name, value) -> body.append("<dt>").append(text(name))
                    .append("</dt><dd>").append(text(value)).append("</dd>"));
            body.append("</dl>");
        }
        body.append("</td></tr>\n");
    }

    /** {@code HIGH} for {@code ALERT_SEVERITY_HIGH}: the word the page shows, whatever the colour. */
    static String severity(AlertSeverity severity) {
        return switch (severity) {
            case ALERT_SEVERITY_LOW -> "LOW";
            case ALERT_SEVERITY_MEDIUM -> "MEDIUM";
            case ALERT_SEVERITY_HIGH -> "HIGH";
            case ALERT_SEVERITY_CRITICAL -> "CRITICAL";
            default -> "UNKNOWN";
        };
    }

    /** The run an alert names (its {@code run_id} attribute), when it is a run id. */
    static Optional<String> runId(Alert alert) {
        String run = alert.getAttributesOrDefault("run_id", "");
        return RUN_ID.matcher(run).matches() ? Optional.of(run) : Optional.empty();
    }

    /**
     * New alerts as server-sent events {@code alert} (id = sequence; data = one JSON object: the
     * alert's sequence, time, severity word, rule, summary, run id), {@code problem} on a refusal.
     * Starts after {@code Last-Event-ID} when the browser reconnects, else after {@code after},
     * the newest sequence the page showed.
     */
    private void events(WebRequest request, Matcher path, EventStream.Sink sink) {
        if (request.session().isEmpty()) {
            sink.send("", "problem", "UNAUTHENTICATED: sign in again");
            return;
        }
        Session session = request.session().get();
        long after = request.header("last-event-id").flatMap(AlertPages::sequence)
                .or(() -> request.queryValue("after").flatMap(AlertPages::sequence)).orElse(0L);
        try {
            audit.watchAlerts(session.user().idToken(), after, STREAM_FOR,
                    event -> sink.send(Long.toString(event.getAlert().getSequence()), "alert", json(event.getAlert())));
        } catch (CallRefusedException e) {
            sink.send("", "problem", e.code() + (e.reason().isEmpty() ? "" : " (" + e.reason() + ")") + ": " + e.getMessage());
        }
    }

    /** What the script shows of an alert; JSON, so the script sets each value as text. */
    private static String json(Alert alert) {
        Alert.Builder shown = Alert.newBuilder().setSequence(alert.getSequence()).setRaisedAt(alert.getRaisedAt())
                .setRule(alert.getRule()).setSummary(alert.getSummary()).setSeverity(alert.getSeverity());
        runId(alert).ifPresent(run -> shown.putAttributes("run_id", run));
        try {
            return JSON.print(shown);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("an alert always prints as JSON", e);
        }
    }

    private static Optional<Long> sequence(String text) {
        try {
            long value = Long.parseLong(text.strip());
            return value >= 0 ? Optional.of(value) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String time(Timestamp time) {
        return Instant.ofEpochSecond(time.getSeconds(), time.getNanos()).toString();
    }
}
