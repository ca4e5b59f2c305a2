package dev.portcullis.console.runs;

import static dev.portcullis.console.web.Html.text;
import static java.util.Objects.requireNonNull;

import dev.portcullis.console.api.CallRefusedException;
import dev.portcullis.console.api.GatewayCalls;
import dev.portcullis.console.web.EventStream;
import dev.portcullis.console.web.Layout;
import dev.portcullis.console.web.Route;
import dev.portcullis.console.web.Session;
import dev.portcullis.console.web.SignInRoutes;
import dev.portcullis.console.web.WebRequest;
import dev.portcullis.console.web.WebResponse;
import dev.portcullis.v1.Approval;
import dev.portcullis.v1.DecisionReason;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.ListRunsResponse;
import dev.portcullis.v1.PlanResourceChange;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunSpec;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.WatchRunResponse;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs list, a run's page (spec, decision with every reason, plan summary, approvals, live
 * log), and approving or rejecting from it. An approval of an apply names the digest of the plan
 * the page showed, as {@code portcullis approve --plan-digest} does: the form carries that digest
 * and the gateway refuses any other. Every call is made as the signed-in user.
 */
public final class RunPages {
    private static final Logger log = LoggerFactory.getLogger(RunPages.class);
    private static final String RUN_ID = "([0-9a-fA-F-]{1,64})";
    private static final int PAGE_SIZE = 50;
    private static final int MAX_TEXT = 2048;
    /** One event stream lasts at most this long; the browser then reconnects where it left off. */
    private static final Duration STREAM_FOR = Duration.ofMinutes(10);
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();

    private final GatewayCalls gateway;

    public RunPages(GatewayCalls gateway) {
        this.gateway = requireNonNull(gateway, "gateway is null");
    }

    public List<Route> routes() {
        return List.of(
                Route.of("GET", "/", (request, path) -> WebResponse.seeOther("/runs")),
                Route.of("GET", "/runs", (request, path) -> signedIn(request, session -> list(request, session))),
                Route.of("GET", "/runs/list\\.json", (request, path) -> listJson(request)),
                Route.of("GET", "/runs/" + RUN_ID, (request, path) -> signedIn(request, session -> show(request, session, path.group(1)))),
                Route.of("POST", "/runs/" + RUN_ID + "/approve", (request, path) -> approve(request, path.group(1))),
                Route.of("POST", "/runs/" + RUN_ID + "/reject", (request, path) -> reject(request, path.group(1))));
    }

    public List<EventStream> streams() {
        return List.of(EventStream.of("/runs/" + RUN_ID + "/events", this::events));
    }

    /** Signed-in pages send a signed-out browser to sign in, returning here. */
    public static WebResponse signedIn(WebRequest request, java.util.function.Function<Session, WebResponse> page) {
        if (request.session().isEmpty()) {
            Map<String, String> query = new LinkedHashMap<>();
            request.query().forEach((name, values) -> query.put(name, values.isEmpty() ? "" : values.get(0)));
            String back = query.isEmpty() ? request.path() : request.path() + "?" + query(query);
            return WebResponse.seeOther(SignInRoutes.signInPath(back, false));
        }
        return page.apply(request.session().get());
    }

    /** The list's filters and page, as the runs page and its live updates read them. */
    private static ListRunsRequest listQuery(WebRequest request) {
        ListRunsRequest.Builder query = ListRunsRequest.newBuilder().setPageSize(PAGE_SIZE);
        request.queryValue("repo").ifPresent(query::setRepo);
        request.queryValue("env").ifPresent(query::setEnvironment);
        request.queryValue("requester").ifPresent(query::setRequester);
        request.queryValue("state").flatMap(RunPages::state).ifPresent(query::addStates);
        request.queryValue("page").ifPresent(query::setPageToken);
        return query.build();
    }

    /**
     * The first page of runs the list's filters select, as JSON ({@code ListRunsResponse} in
     * protobuf's JSON mapping, each run cut to the columns the list shows): what the runs page's
     * script fetches every few seconds to keep the list fresh. Signed out or refused: 401 or the
     * refusal's status with {@code {"problem": "..."}}, never a redirect the script would follow.
     */
    private WebResponse listJson(WebRequest request) {
        if (request.session().isEmpty()) {
            return json(401, "{\"problem\":\"UNAUTHENTICATED: sign in again\"}");
        }
        ListRunsResponse runs;
        try {
            runs = gateway.list(request.session().get().user().idToken(), listQuery(request).toBuilder().clearPageToken().build());
        } catch (CallRefusedException e) {
            String problem = e.code() + (e.reason().isEmpty() ? "" : " (" + e.reason() + ")") + ": " + e.getMessage();
            try {
                return json(e.code().equals("PERMISSION_DENIED") || e.code().equals("UNAUTHENTICATED") ? 403 : 502,
                        JSON.print(com.google.protobuf.Struct.newBuilder().putFields("problem",
                                com.google.protobuf.Value.newBuilder().setStringValue(problem).build()).build()));
            } catch (InvalidProtocolBufferException printing) {
                throw new IllegalStateException("a string always prints as JSON", printing);
            }
        }
        ListRunsResponse.Builder shown = ListRunsResponse.newBuilder();
        for (Run run : runs.getRunsList()) {
            shown.addRuns(Run.newBuilder().setRunId(run.getRunId()).setState(run.getState()).setRequester(run.getRequester())
                    .setCreatedAt(run.getCreatedAt()).setSpec(RunSpec.newBuilder().setRepo(run.getSpec().getRepo())
                            .setFolder(run.getSpec().getFolder()).setEnvironment(run.getSpec().getEnvironment())
                            .setCommand(run.getSpec().getCommand())));
        }
        try {
            return json(200, JSON.print(shown));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("runs always print as JSON", e);
        }
    }

    private static WebResponse json(int status, String body) {
        return new WebResponse(status, Map.of("Content-Type", "application/json; charset=utf-8"), body.getBytes(StandardCharsets.UTF_8));
    }

    private WebResponse list(WebRequest request, Session session) {
        ListRunsRequest query = listQuery(request);
        Optional<RunState> state = query.getStatesList().stream().findFirst();
        StringBuilder body = new StringBuilder();
        body.append("<form class=\"filters\" method=\"get\" action=\"/runs\" role=\"search\" aria-label=\"Filter runs\">")
                .append(field("repo", "Repository", request.queryValue("repo").orElse("")))
                .append(field("env", "Environment", request.queryValue("env").orElse("")))
                .append("<label for=\"state\">State</label><select id=\"state\" name=\"state\"><option value=\"\">any</option>");
        for (RunState each : RunState.values()) {
            if (each == RunState.RUN_STATE_UNSPECIFIED || each == RunState.UNRECOGNIZED) {
                continue;
            }
            String name = RunText.state(each);
            body.append("<option value=\"").append(name).append('"').append(state.equals(Optional.of(each)) ? " selected" : "")
                    .append('>').append(name.toLowerCase(java.util.Locale.ROOT)).append("</option>");
        }
        body.append("</select>")
                .append(field("requester", "Requester", request.queryValue("requester").orElse("")))
                .append("<button type=\"submit\">Filter</button></form>\n");
        ListRunsResponse runs;
        try {
            runs = gateway.list(session.user().idToken(), query);
        } catch (CallRefusedException e) {
            return refused(request, session, "Runs", e);
        }
        boolean live = request.queryValue("page").isEmpty();
        if (live) {
            body.append("<p id=\"runs-status\" aria-live=\"polite\">This list updates itself.</p>");
        }
        if (runs.getRunsCount() == 0) {
            body.append("<p id=\"no-runs\">No runs match.</p>");
        }
        if (runs.getRunsCount() > 0 || live) {
            body.append("<div class=\"scroll\"><table><caption>Runs, newest first</caption><thead><tr>")
                    .append("<th scope=\"col\">Run</th><th scope=\"col\">State</th><th scope=\"col\">Repository</th>")
                    .append("<th scope=\"col\">Folder</th><th scope=\"col\">Environment</th><th scope=\"col\">Command</th>")
                    .append("<th scope=\"col\">Requester</th><th scope=\"col\">Created</th></tr></thead><tbody id=\"runs\"");
            if (live) {
                // the first page only: later pages are history, and the script would replace them with the first
                Map<String, String> filters = new LinkedHashMap<>();
                for (String name : List.of("repo", "env", "state", "requester")) {
                    request.queryValue(name).ifPresent(value -> filters.put(name, value));
                }
                body.append(" data-live=\"").append(text(query(filters))).append('"');
            }
            body.append('>');
            for (Run run : runs.getRunsList()) {
                body.append("<tr><td><a href=\"/runs/").append(text(run.getRunId())).append("\">")
                        .append(text(shortId(run.getRunId()))).append("</a></td><td><span class=\"state\">")
                        .append(text(RunText.state(run.getState()))).append("</span></td><td>")
                        .append(text(run.getSpec().getRepo())).append("</td><td>").append(text(run.getSpec().getFolder()))
                        .append("</td><td>").append(text(run.getSpec().getEnvironment())).append("</td><td>")
                        .append(text(run.getSpec().getCommand())).append("</td><td>").append(text(run.getRequester()))
                        .append("</td><td>").append(text(RunText.time(run.getCreatedAt()))).append("</td></tr>\n");
            }
            body.append("</tbody></table></div>");
        }
        if (!runs.getNextPageToken().isEmpty()) {
            Map<String, String> next = new LinkedHashMap<>();
            for (String name : List.of("repo", "env", "state", "requester")) {
                request.queryValue(name).ifPresent(value -> next.put(name, value));
            }
            next.put("page", runs.getNextPageToken());
            body.append("<p><a rel=\"next\" href=\"/runs?").append(text(query(next))).append("\">Next page</a></p>");
        }
        return WebResponse.html(200, Layout.page("Runs", Optional.of(session), body.toString()));
    }

    private WebResponse show(WebRequest request, Session session, String runId) {
        Run run;
        Optional<Run> plan = Optional.empty();
        try {
            run = gateway.get(session.user().idToken(), runId);
            if (run.getSpec().hasPlanRunId()) {
                plan = Optional.of(gateway.get(session.user().idToken(), run.getSpec().getPlanRunId()));
            }
        } catch (CallRefusedException e) {
            return refused(request, session, "Run " + shortId(runId), e);
        }
        return WebResponse.html(200, Layout.page("Run " + shortId(run.getRunId()), Optional.of(session), runBody(session, run, plan)));
    }

    private static String runBody(Session session, Run run, Optional<Run> plan) {
        var spec = run.getSpec();
        StringBuilder body = new StringBuilder();
        body.append("<section aria-labelledby=\"h-run\"><h2 id=\"h-run\">Run</h2><dl class=\"facts\">");
        fact(body, "Run id", run.getRunId());
        body.append("<dt>State</dt><dd><span id=\"run-state\" class=\"state\" aria-live=\"polite\">")
                .append(text(RunText.state(run.getState()))).append("</span>");
        if (!run.getStateReason().isEmpty()) {
            body.append(" <span class=\"reason\">").append(text(run.getStateReason())).append("</span>");
        }
        body.append("</dd>");
        fact(body, "Repository", spec.getRepo());
        fact(body, "Folder", spec.getFolder());
        fact(body, "Environment", spec.getEnvironment());
        fact(body, "Command", spec.getCommand());
        fact(body, "Commit", spec.getCommitSha());
        fact(body, "Ref", spec.getRef());
        fact(body, "Requester", run.getRequester());
        fact(body, "Authentication", run.getAuthentication());
        fact(body, "Created", RunText.time(run.getCreatedAt()));
        fact(body, "Updated", RunText.time(run.getUpdatedAt()));
        if (run.getState() == RunState.RUN_STATE_QUEUED) {
            fact(body, "Queue position", Integer.toString(run.getQueuePosition()));
        }
        fact(body, "Approvals", run.getApprovalsCount() + " of " + run.getRequiredApprovals());
        if (run.hasApprovalDeadline()) {
            fact(body, "Approval window closes", RunText.time(run.getApprovalDeadline()));
        }
        if (run.hasPlanArtifact()) {
            fact(body, "Artifact digest", run.getPlanArtifact().getSha256());
        }
        if (run.hasExitCode()) {
            fact(body, "Exit code", Integer.toString(run.getExitCode()));
        }
        if (run.getBreakGlass()) {
            fact(body, "Break-glass", "yes");
        }
        fact(body, "Trace id", run.getTraceId());
        body.append("</dl>");
        if (spec.hasPlanRunId()) {
            body.append("<p>Applies the plan made by run <a href=\"/runs/").append(text(spec.getPlanRunId())).append("\">")
                    .append(text(spec.getPlanRunId())).append("</a>.</p>");
        }
        body.append("</section>\n");

        var decision = run.getDecision();
        body.append("<section aria-labelledby=\"h-decision\"><h2 id=\"h-decision\">Decision</h2><p><strong>")
                .append(text(decision.getOutcome().name().replaceFirst("^DECISION_OUTCOME_", ""))).append("</strong>");
        if (!decision.getCatalogVersion().isEmpty()) {
            body.append(" by catalog ").append(text(decision.getCatalogVersion()));
        }
        if (decision.hasMatchedRule()) {
            body.append(", rule ").append(text(decision.getMatchedRule().getLocation()));
        }
        body.append("</p>");
        if (decision.getReasonsCount() > 0) {
            body.append("<ul class=\"reasons\">");
            for (DecisionReason reason : decision.getReasonsList()) {
                body.append("<li><code>").append(text(reason.getCode())).append("</code> ").append(text(reason.getMessage()));
                if (!reason.getField().isEmpty()) {
                    body.append(" (").append(text(reason.getField())).append(')');
                }
                body.append("</li>");
            }
            body.append("</ul>");
        }
        body.append("</section>\n");

        body.append("<section aria-labelledby=\"h-plan\"><h2 id=\"h-plan\">Plan summary</h2>");
        planSummary(body, run);
        body.append("</section>\n");

        body.append("<section aria-labelledby=\"h-approvals\"><h2 id=\"h-approvals\">Approvals</h2>");
        if (run.getApprovalsCount() == 0) {
            body.append("<p>None yet; ").append(run.getRequiredApprovals()).append(" required.</p>");
        } else {
            body.append("<ul class=\"approvals\">");
            for (Approval approval : run.getApprovalsList()) {
                body.append("<li><strong>").append(text(approval.getApprover())).append("</strong> at ")
                        .append(text(RunText.time(approval.getApprovedAt())));
                if (!approval.getPlanDigest().isEmpty()) {
                    body.append(", plan <code class=\"digest\">").append(text(approval.getPlanDigest())).append("</code>");
                }
                if (!approval.getComment().isEmpty()) {
                    body.append(": ").append(text(approval.getComment()));
                }
                body.append("</li>");
            }
            body.append("</ul>");
        }
        body.append("</section>\n");

        if (run.getState() == RunState.RUN_STATE_AWAITING_APPROVAL) {
            decide(body, session, run, plan);
        }

        body.append("<section aria-labelledby=\"h-log\"><h2 id=\"h-log\">Log</h2>")
                .append("<p id=\"log-status\" aria-live=\"polite\">Connecting to the log…</p>")
                .append("<pre id=\"log\" class=\"log\" tabindex=\"0\" data-run=\"").append(text(run.getRunId()))
                .append("\" aria-label=\"Run log\"></pre></section>\n");
        return body.toString();
    }

    private static void planSummary(StringBuilder body, Run run) {
        RunText.planSummary(run).forEach(line -> body.append("<p class=\"summary\">").append(text(line)).append("</p>"));
        if (!run.hasPlanSummary() || run.getPlanSummary().getChangesCount() == 0) {
            return;
        }
        var summary = run.getPlanSummary();
        body.append("<div class=\"scroll\"><table><caption>Resources that change</caption><thead><tr>")
                .append("<th scope=\"col\">Change</th><th scope=\"col\">Address</th><th scope=\"col\">Type</th>")
                .append("<th scope=\"col\">Actions</th></tr></thead><tbody>");
        for (PlanResourceChange change : summary.getChangesList()) {
            body.append("<tr><td><code>").append(text(RunText.symbol(change))).append("</code></td><td><code>")
                    .append(text(change.getAddress())).append("</code></td><td>").append(text(change.getType()))
                    .append("</td><td>").append(text(String.join(", ", change.getActionsList()))).append("</td></tr>");
        }
        body.append("</tbody></table></div>");
        if (summary.getChangesNotListed() > 0) {
            body.append("<p>and ").append(summary.getChangesNotListed()).append(" more not listed.</p>");
        }
    }

    /** The approve and reject forms: the approval names exactly the plan digest shown beside the summary. */
    private static void decide(StringBuilder body, Session session, Run run, Optional<Run> plan) {
        String id = text(run.getRunId());
        body.append("<section class=\"decide\" aria-labelledby=\"h-decide\"><h2 id=\"h-decide\">Approve or reject</h2>");
        // said before anyone tries: the gateway decides, and its refusal is shown if they try anyway
        body.append("<p id=\"approve-who\">Requested by <code>").append(text(run.getRequester())).append("</code>")
                .append(run.getAuthentication().isEmpty() ? "" : " (" + text(run.getAuthentication()) + ")")
                .append(", who cannot approve it: only a person with the approver role approves here, never the run's requester")
                .append(" (the gateway refuses <code>SELF_APPROVAL</code>) and never a CI job")
                .append(" (its token sent through the console is refused <code>USER_TOKEN_REQUIRED</code>).</p>");
        String digest = "";
        if (plan.isPresent()) {
            Run planRun = plan.get();
            digest = planRun.hasPlanArtifact() ? planRun.getPlanArtifact().getSha256() : "";
            body.append("<p>This run applies plan run <a href=\"/runs/").append(text(planRun.getRunId())).append("\">")
                    .append(text(shortId(planRun.getRunId()))).append("</a>, which would:</p>");
            planSummary(body, planRun);
            if (digest.isEmpty()) {
                body.append("<p class=\"problem\" role=\"alert\">The plan run has no plan artifact: there is nothing to approve.</p></section>");
                return;
            }
            body.append("<p>You approve exactly the plan with digest <code id=\"approve-digest\" class=\"digest\">")
                    .append(text(digest)).append("</code>.</p>");
        }
        body.append("<form method=\"post\" action=\"/runs/").append(id).append("/approve\">").append(Layout.csrfField(session))
                .append("<input type=\"hidden\" name=\"plan_digest\" value=\"").append(text(digest)).append("\">")
                .append("<label for=\"comment\">Comment (optional)</label>")
                .append("<input id=\"comment\" name=\"comment\" maxlength=\"").append(MAX_TEXT).append("\">")
                .append("<button type=\"submit\" id=\"approve\">").append(digest.isEmpty() ? "Approve" : "Approve this plan")
                .append("</button></form>");
        body.append("<form method=\"post\" action=\"/runs/").append(id).append("/reject\">").append(Layout.csrfField(session))
                .append("<label for=\"reason\">Reason for rejecting</label>")
                .append("<input id=\"reason\" name=\"reason\" required maxlength=\"").append(MAX_TEXT).append("\">")
                .append("<button type=\"submit\" id=\"reject\" class=\"secondary\">Reject</button></form></section>\n");
    }

    private WebResponse approve(WebRequest request, String runId) {
        Session session = request.session().orElseThrow(); // the server admits no POST without a session
        String digest = request.formValue("plan_digest").orElse("");
        String comment = request.formValue("comment").orElse("");
        if (comment.length() > MAX_TEXT || !digest.matches("[0-9a-f]{64}|")) {
            return Layout.problem(400, request.session(), "Not approved", "The form is malformed; reload the run's page.");
        }
        try {
            gateway.approve(session.user().idToken(), runId, digest, comment);
        } catch (CallRefusedException e) {
            log.atInfo().addKeyValue("run_id", runId).addKeyValue("code", e.code()).addKeyValue("reason", e.reason())
                    .log("console.approval_refused");
            return refused(request, session, "Not approved", e, "/runs/" + runId);
        }
        return WebResponse.seeOther("/runs/" + runId);
    }

    private WebResponse reject(WebRequest request, String runId) {
        Session session = request.session().orElseThrow();
        String reason = request.formValue("reason").orElse("");
        if (reason.isEmpty() || reason.length() > MAX_TEXT) {
            return Layout.problem(400, request.session(), "Not rejected", "Say why you reject the run.");
        }
        try {
            gateway.reject(session.user().idToken(), runId, reason);
        } catch (CallRefusedException e) {
            return refused(request, session, "Not rejected", e, "/runs/" + runId);
        }
        return WebResponse.seeOther("/runs/" + runId);
    }

    private WebResponse refused(WebRequest request, Session session, String title, CallRefusedException e) {
        return refused(request, session, title, e, request.path());
    }

    /** A refusal, clearly: status and reason, the service's message, and what to do next. */
    public static WebResponse refused(WebRequest request, Session session, String title, CallRefusedException e, String back) {
        StringBuilder body = new StringBuilder("<div class=\"problem\" role=\"alert\"><p><strong>")
                .append(text(e.code())).append(e.reason().isEmpty() ? "" : " (" + text(e.reason()) + ")")
                .append("</strong>: ").append(text(e.getMessage())).append("</p>");
        if (e.reason().equals("LOGIN_TOO_OLD")) {
            body.append("<p>Approving needs a recent sign-in. <a id=\"fresh-login\" href=\"")
                    .append(text(SignInRoutes.signInPath(back, true))).append("\">Sign in again</a> and approve once more.</p>");
        } else if (e.reason().equals("MFA_REQUIRED")) {
            body.append("<p>Approving needs a sign-in with multi-factor authentication. <a id=\"fresh-login\" href=\"")
                    .append(text(SignInRoutes.signInPath(back, true))).append("\">Sign in again</a> with a second factor.</p>");
        } else if (e.needsFreshLogin()) {
            body.append("<p><a id=\"fresh-login\" href=\"").append(text(SignInRoutes.signInPath(back, false)))
                    .append("\">Sign in again</a></p>");
        }
        body.append("<p><a href=\"").append(text(back)).append("\">Back</a></p></div>");
        int status = switch (e.code()) {
            case "NOT_FOUND" -> 404;
            case "PERMISSION_DENIED", "UNAUTHENTICATED" -> 403;
            case "UNAVAILABLE", "DEADLINE_EXCEEDED" -> 503;
            case "INTERNAL", "UNKNOWN" -> 502;
            default -> 409;
        };
        return WebResponse.html(status, Layout.page(title, Optional.of(session), body.toString()));
    }

    /**
     * The run's events as server-sent events: {@code log} (one line, id = its offset), {@code state}
     * (the new state's name), {@code end} when the run is over, {@code problem} on a refusal.
     * Resumes after {@code Last-Event-ID}, as EventSource sends it on reconnecting.
     */
    private void events(WebRequest request, Matcher path, EventStream.Sink sink) {
        if (request.session().isEmpty()) {
            sink.send("", "problem", "UNAUTHENTICATED: sign in again");
            return;
        }
        Session session = request.session().get();
        long from = request.header("last-event-id").flatMap(RunPages::offset).map(last -> last + 1).orElse(0L);
        try {
            gateway.watch(session.user().idToken(), path.group(1), from, STREAM_FOR, event -> send(sink, event));
        } catch (CallRefusedException e) {
            sink.send("", "problem", e.code() + (e.reason().isEmpty() ? "" : " (" + e.reason() + ")") + ": " + e.getMessage());
        }
    }

    private static boolean send(EventStream.Sink sink, WatchRunResponse event) {
        String id = Long.toString(event.getOffset());
        if (event.hasLogLine()) {
            return sink.send(id, "log", event.getLogLine().getText());
        }
        if (event.hasStateChange()) {
            RunState state = event.getStateChange().getState();
            boolean open = sink.send(id, "state", RunText.state(state));
            if (RunText.finished(state)) {
                sink.send("", "end", RunText.state(state));
                return false;
            }
            return open;
        }
        return true;
    }

    private static Optional<Long> offset(String text) {
        try {
            long value = Long.parseLong(text.strip());
            return value >= 0 ? Optional.of(value) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<RunState> state(String name) {
        return Arrays.stream(RunState.values()).filter(s -> s != RunState.UNRECOGNIZED && s != RunState.RUN_STATE_UNSPECIFIED)
                .filter(s -> RunText.state(s).equalsIgnoreCase(name)).findFirst();
    }

    private static void fact(StringBuilder body, String name, String value) {
        body.append("<dt>").append(text(name)).append("</dt><dd>").append(value.isEmpty() ? "–" : text(value)).append("</dd>");
    }

    public static String field(String name, String label, String value) {
        return "<label for=\"" + name + "\">" + text(label) + "</label><input id=\"" + name + "\" name=\"" + name + "\" value=\""
                + text(value) + "\">";
    }

    private static String shortId(String runId) {
        return runId.length() > 8 ? runId.substring(0, 8) : runId;
    }

    public static String query(Map<String, String> values) {
        StringBuilder query = new StringBuilder();
        values.forEach((name, value) -> query.append(query.length() == 0 ? "" : "&").append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return query.toString();
    }
}
