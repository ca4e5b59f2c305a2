package dev.portcullis.console.audit;

import static dev.portcullis.console.web.Html.text;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
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
import dev.portcullis.v1.AuditExportRecord;
import dev.portcullis.v1.AuditOutcome;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.Checkpoint;
import dev.portcullis.v1.QueryOrder;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.QueryResponse;
import dev.portcullis.v1.SignCheckpointResponse;
import dev.portcullis.v1.VerifyResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audit search with the CLI's filters ({@code portcullis audit query}: actor, action, repo, run,
 * trace, since, until, oldest first, limit) plus outcome, a page at a time: the next page
 * continues from the audit service's cursor. Every event's attributes are shown, escaped.
 */
public final class AuditPage {
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 500;
    /** Events one export holds at most: the audit service's bound of one query. The whole log: {@code portcullis audit export}. */
    static final int MAX_EXPORT = 10_000;
    private static final Duration EXPORT_FOR = Duration.ofMinutes(5);
    /** How long the whole log's export may read, as {@code portcullis audit export} allows one query. */
    private static final Duration EXPORT_LOG_FOR = Duration.ofMinutes(30);
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final Logger log = LoggerFactory.getLogger(AuditPage.class);

    private final AuditCalls audit;

    public AuditPage(AuditCalls audit) {
        this.audit = requireNonNull(audit, "audit is null");
    }

    public List<Route> routes() {
        return List.of(Route.of("GET", "/audit", (request, path) -> RunPages.signedIn(request, session -> search(request, session))),
                Route.of("POST", "/audit/export", (request, path) -> export(request)),
                Route.of("POST", "/audit/export/log", (request, path) -> exportLog(request)),
                Route.of("GET", "/audit/integrity", (request, path) -> RunPages.signedIn(request, session -> integrity(request, session))));
    }

    private WebResponse search(WebRequest request, Session session) {
        List<String> problems = new ArrayList<>();
        QueryRequest.Builder query = filters(request::queryValue, problems);
        boolean oldestFirst = request.queryValue("oldest").isPresent();
        int limit = request.queryValue("limit").map(text -> number(text, problems)).orElse(DEFAULT_LIMIT);
        query.setLimit(limit);
        request.queryValue("cursor").ifPresent(query::setCursor);
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
        if (!events.isEmpty()) {
            exportForm(body, request, session);
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

    /** The CLI's filters (and outcome) read from {@code values}, a problem noted for each malformed one. */
    private static QueryRequest.Builder filters(Function<String, Optional<String>> values, List<String> problems) {
        QueryRequest.Builder query = QueryRequest.newBuilder();
        query.setOrder(values.apply("oldest").isPresent() ? QueryOrder.QUERY_ORDER_OLDEST_FIRST : QueryOrder.QUERY_ORDER_NEWEST_FIRST);
        values.apply("actor").ifPresent(query::setActor);
        values.apply("repo").ifPresent(query::setRepo);
        values.apply("run").ifPresent(query::setRunId);
        values.apply("trace").ifPresent(query::setTraceId);
        values.apply("action").ifPresent(name -> AuditAction.byDottedName(name).ifPresentOrElse(
                action -> query.addActions(dev.portcullis.v1.AuditAction.valueOf("AUDIT_ACTION_" + action.name())),
                () -> problems.add("unknown action")));
        values.apply("outcome").ifPresent(name -> outcome(name).ifPresentOrElse(query::setOutcome,
                () -> problems.add("unknown outcome")));
        values.apply("since").ifPresent(text -> instant(text, "since", problems).ifPresent(query::setFromTime));
        values.apply("until").ifPresent(text -> instant(text, "until", problems).ifPresent(query::setToTime));
        return query;
    }

    /**
     * The search's events as a download: JSON lines of {@code AuditExportRecord}, the format
     * {@code portcullis audit export} writes, streamed as the audit service sends them, at most
     * {@link #MAX_EXPORT} events. A POST with the session's CSRF token, so no link can start it
     * and no token is in a URL. A refusal is shown as a page: a probe of one event is asked for
     * first, because once the download's headers are sent its status cannot change.
     */
    private WebResponse export(WebRequest request) {
        Session session = request.session().orElseThrow(); // the server admits no POST without a session
        List<String> problems = new ArrayList<>();
        QueryRequest query = filters(request::formValue, problems).setLimit(MAX_EXPORT).build();
        if (!problems.isEmpty()) {
            return Layout.problem(400, request.session(), "Not exported", String.join("; ", problems));
        }
        try {
            audit.query(session.user().idToken(), query.toBuilder().setLimit(1).build());
        } catch (CallRefusedException e) {
            return RunPages.refused(request, session, "Not exported", e, "/audit");
        }
        log.atInfo().addKeyValue("actor", session.user().displayName()).log("console.audit_exported");
        return WebResponse.streamed(200, Map.of("Content-Type", "application/jsonl; charset=utf-8",
                "Content-Disposition", "attachment; filename=\"portcullis-audit.jsonl\""), out -> {
                    Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                    try {
                        audit.stream(session.user().idToken(), query, EXPORT_FOR, event -> {
                            try {
                                writer.write(JSON.print(AuditExportRecord.newBuilder().setEvent(event).build()));
                                writer.write('\n');
                                return true;
                            } catch (IOException e) {
                                return false; // the browser went away
                            }
                        });
                    } catch (CallRefusedException e) {
                        // the headers are sent: ending the connection unfinished makes the browser report a failed download
                        throw new IOException("the audit service stopped the export: " + e.code());
                    }
                    writer.flush();
                });
    }

    /**
     * The whole log as a download that {@code portcullis audit verify --offline} verifies with the
     * audit service's public key alone, written as {@code portcullis audit export} writes it: a
     * checkpoint of the head is signed first ({@code SignCheckpoint}), then every event from
     * sequence 1 through that checkpoint's tree size, oldest first, then the signed checkpoint,
     * so no event in the file goes uncovered. Events stored meanwhile are left for the next
     * export. A POST with the session's CSRF token; a refusal (before anything is sent) is a
     * page. Should the service break off, or send fewer events than the checkpoint covers, the
     * connection is dropped before the checkpoint, and the browser reports a failed download.
     */
    private WebResponse exportLog(WebRequest request) {
        Session session = request.session().orElseThrow(); // the server admits no POST without a session
        SignCheckpointResponse checkpoint;
        try {
            checkpoint = audit.signCheckpoint(session.user().idToken());
        } catch (CallRefusedException e) {
            return RunPages.refused(request, session, "Not exported", e, "/audit/integrity");
        }
        long covered = checkpoint.getTreeSize();
        log.atInfo().addKeyValue("actor", session.user().displayName()).addKeyValue("tree_size", covered)
                .log("console.audit_log_exported");
        return WebResponse.streamed(200, Map.of("Content-Type", "application/jsonl; charset=utf-8",
                "Content-Disposition", "attachment; filename=\"portcullis-audit-log.jsonl\""), out -> {
                    Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                    long[] written = {0};
                    try {
                        audit.streamLog(session.user().idToken(), covered, EXPORT_LOG_FOR, event -> {
                            try {
                                writer.write(JSON.print(AuditExportRecord.newBuilder().setEvent(event).build()));
                                writer.write('\n');
                                written[0]++;
                                return true;
                            } catch (IOException e) {
                                return false; // the browser went away
                            }
                        });
                    } catch (CallRefusedException e) {
                        throw new IOException("the audit service stopped the export: " + e.code());
                    }
                    if (written[0] != covered) {
                        // without every covered event the checkpoint would not verify: a failed download, not a broken file
                        throw new IOException("the audit service sent " + written[0] + " of the " + covered + " events signed");
                    }
                    writer.write(JSON.print(AuditExportRecord.newBuilder().setSignedCheckpoint(checkpoint.getSignedCheckpoint()).build()));
                    writer.write('\n');
                    writer.flush();
                });
    }

    /** The form that starts {@link #exportLog}. */
    private static void exportLogForm(StringBuilder body, Session session) {
        body.append("<form class=\"export\" method=\"post\" action=\"/audit/export/log\">").append(Layout.csrfField(session))
                .append("<button type=\"submit\" id=\"export-log\">Export the whole log, signed (JSON lines;"
                        + " <code>portcullis audit verify --offline</code> checks it)</button></form>\n");
    }

    /**
     * The log's verification status (the audit service's {@code Verify} of the whole chain) and
     * its newest signed checkpoint: tree size, root hash, origin and signer, read from the signed
     * note. Read-only: the page signs nothing.
     */
    private WebResponse integrity(WebRequest request, Session session) {
        VerifyResponse verified;
        try {
            verified = audit.verify(session.user().idToken());
        } catch (CallRefusedException e) {
            return RunPages.refused(request, session, "Log integrity", e, "/audit");
        }
        StringBuilder body = new StringBuilder();
        body.append("<section aria-labelledby=\"h-status\"><h2 id=\"h-status\">Verification</h2>");
        if (verified.getIntact()) {
            body.append("<p id=\"log-verdict\" class=\"verdict intact\"><strong>INTACT</strong>: every one of ")
                    .append(verified.getChecked()).append(" events links and hashes correctly, and no checkpoint is violated.</p>");
        } else {
            body.append("<p id=\"log-verdict\" class=\"verdict broken problem\" role=\"alert\"><strong>BROKEN</strong>");
            if (verified.hasFirstBrokenSequence()) {
                body.append(" at sequence <strong>").append(verified.getFirstBrokenSequence()).append("</strong>");
            }
            body.append(": ").append(text(verified.getProblem().isEmpty() ? "the chain does not verify" : verified.getProblem()))
                    .append("</p>");
        }
        body.append("<dl class=\"facts\"><dt>Events checked</dt><dd>").append(verified.getChecked()).append("</dd>")
                .append("<dt>Events no signature covers yet</dt><dd>").append(verified.getUncovered()).append("</dd>");
        if (verified.getMissingAfterCheckpoint() > 0) {
            body.append("<dt>Signed events missing from the store</dt><dd class=\"problem\">")
                    .append(verified.getMissingAfterCheckpoint()).append("</dd>");
        }
        body.append("</dl></section>\n<section aria-labelledby=\"h-checkpoint\"><h2 id=\"h-checkpoint\">Newest checkpoint</h2>");
        Optional<CheckpointNote> note = CheckpointNote.parse(verified.getLatestSignedCheckpoint());
        if (note.isEmpty() && !verified.hasLatestCheckpoint()) {
            body.append("<p>No signed checkpoint yet.</p>");
        }
        note.ifPresent(each -> {
            body.append("<dl class=\"facts\">");
            fact(body, "Tree size", Long.toString(each.treeSize()));
            fact(body, "Root hash (hex)", each.rootHashHex());
            fact(body, "Origin", each.origin());
            fact(body, "Signed by", String.join(", ", each.signers()));
            fact(body, "Signed at", verified.hasLatestSignedCheckpointTime() ? time(verified.getLatestSignedCheckpointTime()) : "");
            body.append("</dl><details><summary>The signed note</summary><pre class=\"note\">")
                    .append(text(verified.getLatestSignedCheckpoint())).append("</pre></details>");
            body.append("<p>The signing time is the audit service's word: a signed note records none. Checkpoints are signed"
                    + " every <code>portcullis.audit.checkpoint-every</code> events or <code>checkpoint-interval</code>,"
                    + " and for each export.</p>");
        });
        if (verified.hasLatestCheckpoint()) {
            Checkpoint legacy = verified.getLatestCheckpoint();
            body.append("<h3>Newest chain-head checkpoint (signed before the Merkle tree)</h3><dl class=\"facts\">");
            fact(body, "Sequence", Long.toString(legacy.getSequence()));
            fact(body, "Chain hash", legacy.getHash());
            fact(body, "Signed at", time(legacy.getSignedAt()));
            fact(body, "Key id", legacy.getKeyId());
            body.append("</dl>");
        }
        body.append("</section>\n<section aria-labelledby=\"h-export\"><h2 id=\"h-export\">Export</h2>");
        exportLogForm(body, session);
        body.append("</section>\n<p><a href=\"/audit\">Search the audit log</a></p>");
        return WebResponse.html(200, Layout.page("Log integrity", Optional.of(session), body.toString()));
    }

    private static void fact(StringBuilder body, String name, String value) {
        body.append("<dt>").append(text(name)).append("</dt><dd>").append(value.isEmpty() ? "–" : text(value)).append("</dd>");
    }

    private static void form(StringBuilder body, WebRequest request, boolean oldestFirst, int limit) {
        body.append("<p><a href=\"/audit/integrity\">The log's verification status, newest checkpoint and signed export</a></p>");
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

    /** Export of the same filters (not the page or cursor: every match, up to the bound). */
    private static void exportForm(StringBuilder body, WebRequest request, Session session) {
        body.append("<form class=\"export\" method=\"post\" action=\"/audit/export\">").append(Layout.csrfField(session));
        for (String name : List.of("actor", "action", "repo", "run", "trace", "outcome", "since", "until", "oldest")) {
            request.queryValue(name).ifPresent(value -> body.append("<input type=\"hidden\" name=\"").append(name)
                    .append("\" value=\"").append(text(value)).append("\">"));
        }
        body.append("<button type=\"submit\" id=\"export\">Export these results (JSON lines, up to ").append(MAX_EXPORT)
                .append(" events)</button></form>\n");
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
