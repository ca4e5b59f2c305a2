package dev.portcullis.console.audit;

import static dev.portcullis.console.web.Html.text;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import dev.portcullis.console.api.AuditCalls;
import dev.portcullis.console.api.CallRefusedException;
import dev.portcullis.console.runs.RunPages;
import dev.portcullis.console.web.Layout;
import dev.portcullis.console.web.Route;
import dev.portcullis.console.web.Session;
import dev.portcullis.console.web.WebRequest;
import dev.portcullis.console.web.WebResponse;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditOutcome;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.QueryOrder;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.QueryResponse;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Audit search with the CLI's filters ({@code portcullis audit query}: actor, action, repo, run,
 * trace, since, until, oldest first, limit) plus outcome, a page at a time: the next page
 * continues from the audit service's cursor. Every event's attributes are shown, escaped.
 */
public final class AuditPage {
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;

    private final AuditCalls audit;

    public AuditPage(AuditCalls audit) {
        this.audit = requireNonNull(audit, "audit is null");
    }

    public List<Route> routes() {
        return List.of(Route.of("GET", "/audit", (request, path) -> RunPages.signedIn(request, session -> search(request, session))));
    }

    private WebResponse search(WebRequest request, Session session) {
        List<String> problems = new ArrayList<>();
        QueryRequest.Builder query = QueryRequest.newBuilder();
        boolean oldestFirst = request.queryValue("oldest").isPresent();
        query.setOrder(oldestFirst ? QueryOrder.QUERY_ORDER_OLDEST_FIRST : QueryOrder.QUERY_ORDER_NEWEST_FIRST);
        int limit = request.queryValue("limit").map(text -> number(text, problems)).orElse(DEFAULT_LIMIT);
        query.setLimit(limit);
        request.queryValue("actor").ifPresent(query::setActor);
        request.queryValue("repo").ifPresent(query::setRepo);
        request.queryValue("run").ifPresent(query::setRunId);
        request.queryValue("trace").ifPresent(query::setTraceId);
        request.queryValue("cursor").ifPresent(query::setCursor);
        request.queryValue("action").ifPresent(name -> AuditAction.byDottedName(name).ifPresentOrElse(
                action -> query.addActions(dev.portcullis.v1.AuditAction.valueOf("AUDIT_ACTION_" + action.name())),
                () -> problems.add("unknown action")));
        request.queryValue("outcome").ifPresent(name -> outcome(name).ifPresentOrElse(query::setOutcome,
                () -> problems.add("unknown outcome")));
        request.queryValue("since").ifPresent(text -> instant(text, "since", problems).ifPresent(query::setFromTime));
        request.queryValue("until").ifPresent(text -> instant(text, "until", problems).ifPresent(query::setToTime));

        StringBuilder body = new StringBuilder();
        form(body, request, oldestFirst, limit);
        if (!problems.isEmpty()) {
            body.append("<p class=\"problem\" role=\"alert\">").append(text(String.join("; ", problems))).append("</p>");
            return WebResponse.html(400, Layout.page("Audit log", Optional.of(session), body.toString()));
        }
        List<QueryResponse> events;
        try {
            events = audit.query(session.user().idToken(), query.build());
        } catch (CallRefusedException e) {
            return RunPages.refused(request, session, "Audit log", e, "/audit");
        }
        if (events.isEmpty()) {
            body.append("<p>No events match.</p>");
        } else {
            body.append("<div class=\"scroll\"><table class=\"audit\"><caption>Audit events</caption><thead><tr>")
                    .append("<th scope=\"col\">Seq</th><th scope=\"col\">Time</th><th scope=\"col\">Action</th>")
                    .append("<th scope=\"col\">Outcome</th><th scope=\"col\">Actor</th><th scope=\"col\">Resource</th>")
                    .append("<th scope=\"col\">Reason</th><th scope=\"col\">Attributes</th></tr></thead><tbody>");
            for (QueryResponse each : events) {
                row(body, each.getEvent());
            }
            body.append("</tbody></table></div>");
        }
        String cursor = events.isEmpty() ? "" : events.get(events.size() - 1).getCursor();
        if (events.size() == limit && !cursor.isEmpty()) {
            Map<String, String> next = new LinkedHashMap<>();
            for (String name : List.of("actor", "action", "repo", "run", "trace", "outcome", "since", "until", "oldest", "limit")) {
                request.queryValue(name).ifPresent(value -> next.put(name, value));
            }
            next.put("cursor", cursor);
            body.append("<p><a rel=\"next\" href=\"/audit?").append(text(RunPages.query(next))).append("\">Next page</a></p>");
        }
        return WebResponse.html(200, Layout.page("Audit log", Optional.of(session), body.toString()));
    }

    private static void form(StringBuilder body, WebRequest request, boolean oldestFirst, int limit) {
        body.append("<form class=\"filters\" method=\"get\" action=\"/audit\" role=\"search\" aria-label=\"Search the audit log\">")
                .append(RunPages.field("actor", "Actor (SPIFFE ID)", request.queryValue("actor").orElse("")))
                .append("<label for=\"action\">Action</label><select id=\"action\" name=\"action\"><option value=\"\">any</option>");
        String chosen = request.queryValue("action").orElse("");
        for (AuditAction action : AuditAction.values()) {
            body.append("<option").append(action.dottedName().equals(chosen) ? " selected" : "").append('>')
                    .append(text(action.dottedName())).append("</option>");
        }
        body.append("</select><label for=\"outcome\">Outcome</label><select id=\"outcome\" name=\"outcome\"><option value=\"\">any</option>");
        String outcome = request.queryValue("outcome").orElse("");
        for (String name : List.of("success", "failure", "denied")) {
            body.append("<option").append(name.equals(outcome) ? " selected" : "").append('>').append(name).append("</option>");
        }
        body.append("</select>")
                .append(RunPages.field("repo", "Repository", request.queryValue("repo").orElse("")))
                .append(RunPages.field("run", "Run id", request.queryValue("run").orElse("")))
                .append(RunPages.field("trace", "Trace id", request.queryValue("trace").orElse("")))
                .append(RunPages.field("since", "Since (ISO-8601)", request.queryValue("since").orElse("")))
                .append(RunPages.field("until", "Until (ISO-8601)", request.queryValue("until").orElse("")))
                .append(RunPages.field("limit", "Per page", Integer.toString(limit)))
                .append("<label class=\"check\"><input type=\"checkbox\" name=\"oldest\" value=\"1\"")
                .append(oldestFirst ? " checked" : "").append("> Oldest first</label>")
                .append("<button type=\"submit\">Search</button></form>\n");
    }

    private static void row(StringBuilder body, ChainedEvent chained) {
        AuditEvent event = chained.getEvent();
        String action = event.getAction().name().replaceFirst("^AUDIT_ACTION_", "");
        String dotted = dotted(action);
        body.append("<tr><td>").append(chained.getSequence()).append("</td><td>").append(text(time(event.getTime())))
                .append("</td><td>").append(text(dotted)).append("</td><td>")
                .append(text(event.getOutcome().name().replaceFirst("^AUDIT_OUTCOME_", "").toLowerCase(Locale.ROOT)))
                .append("</td><td>").append(text(event.getActor())).append("</td><td>")
                .append(text(event.getResource().getKind() + ":" + event.getResource().getId())).append("</td><td>")
                .append(text(event.getReason())).append("</td><td>");
        if (event.getAttributesCount() > 0) {
            body.append("<dl class=\"attributes\">");
            new TreeMap<>(event.getAttributesMap()).forEach((name, value) -> body.append("<dt>").append(text(name))
                    .append("</dt><dd>").append(text(value)).append("</dd>"));
            body.append("</dl>");
        }
        body.append("</td></tr>\n");
    }

    private static String dotted(String enumName) {
        try {
            return AuditAction.valueOf(enumName).dottedName();
        } catch (IllegalArgumentException e) {
            return enumName.toLowerCase(Locale.ROOT);
        }
    }

    private static Optional<AuditOutcome> outcome(String name) {
        return switch (name) {
            case "success" -> Optional.of(AuditOutcome.AUDIT_OUTCOME_SUCCESS);
            case "failure" -> Optional.of(AuditOutcome.AUDIT_OUTCOME_FAILURE);
            case "denied" -> Optional.of(AuditOutcome.AUDIT_OUTCOME_DENIED);
            default -> Optional.empty();
        };
    }

    private static int number(String text, List<String> problems) {
        try {
            int value = Integer.parseInt(text.strip());
            if (value >= 1 && value <= MAX_LIMIT) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add("per page must be a number from 1 to " + MAX_LIMIT);
        return DEFAULT_LIMIT;
    }

    private static Optional<Timestamp> instant(String text, String field, List<String> problems) {
        try {
            Instant instant = Instant.parse(text.strip());
            return Optional.of(Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build());
        } catch (DateTimeParseException e) {
            problems.add(field + " is not an ISO-8601 instant, e.g. 2026-11-24T09:00:00Z");
            return Optional.empty();
        }
    }

    private static String time(Timestamp time) {
        return Instant.ofEpochSecond(time.getSeconds(), time.getNanos()).toString();
    }
}
