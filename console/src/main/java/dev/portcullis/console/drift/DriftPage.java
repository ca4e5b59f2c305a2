package dev.portcullis.console.drift;

import static dev.portcullis.console.web.Html.text;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import dev.portcullis.console.api.CallRefusedException;
import dev.portcullis.console.api.GatewayCalls;
import dev.portcullis.console.runs.RunPages;
import dev.portcullis.console.web.Layout;
import dev.portcullis.console.web.Route;
import dev.portcullis.console.web.Session;
import dev.portcullis.console.web.WebRequest;
import dev.portcullis.console.web.WebResponse;
import dev.portcullis.v1.DriftTargetStatus;
import dev.portcullis.v1.ListDriftTargetsResponse;
import dev.portcullis.v1.PlanChangeCounts;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The drift targets the catalog's {@code drift:} checks declare (the gateway's
 * {@code ListDriftTargets}), as {@code portcullis drift status} lists them: state in words, why,
 * the run of the last result (a link), its plan counts and resources changed outside Terraform,
 * failures in a row, whether a check is pending, and when the next is due.
 */
public final class DriftPage {
    private static final Pattern RUN_ID = Pattern.compile("[0-9a-fA-F-]{1,64}");

    private final GatewayCalls gateway;

    public DriftPage(GatewayCalls gateway) {
        this.gateway = requireNonNull(gateway, "gateway is null");
    }

    public List<Route> routes() {
        return List.of(Route.of("GET", "/drift", (request, path) -> RunPages.signedIn(request, session -> show(request, session))));
    }

    private WebResponse show(WebRequest request, Session session) {
        ListDriftTargetsResponse targets;
        try {
            targets = gateway.driftTargets(session.user().idToken());
        } catch (CallRefusedException e) {
            return RunPages.refused(request, session, "Drift", e, "/runs");
        }
        StringBuilder body = new StringBuilder();
        if (targets.getTargetsCount() == 0) {
            body.append("<p>No drift targets: the catalog in force declares no <code>drift:</code> check.</p>");
            return WebResponse.html(200, Layout.page("Drift", Optional.of(session), body.toString()));
        }
        body.append("<div class=\"scroll\"><table><caption>Drift targets, by repository, folder and environment</caption><thead><tr>")
                .append("<th scope=\"col\">Repository</th><th scope=\"col\">Folder</th><th scope=\"col\">Environment</th>")
                .append("<th scope=\"col\">State</th><th scope=\"col\">Why</th><th scope=\"col\">Last result</th>")
                .append("<th scope=\"col\">Changes</th><th scope=\"col\">Checked</th><th scope=\"col\">Next due</th></tr></thead><tbody>");
        for (DriftTargetStatus target : targets.getTargetsList()) {
            row(body, target);
        }
        body.append("</tbody></table></div>");
        return WebResponse.html(200, Layout.page("Drift", Optional.of(session), body.toString()));
    }

    private static void row(StringBuilder body, DriftTargetStatus target) {
        String state = target.getState().name().replaceFirst("^DRIFT_STATE_", "");
        body.append("<tr><td>").append(text(target.getRepo())).append("</td><td>").append(text(target.getFolder())).append("</td><td>")
                .append(text(target.getEnvironment())).append("</td><td><span class=\"state drift-")
                .append(text(state.toLowerCase(java.util.Locale.ROOT))).append("\">").append(text(state)).append("</span>");
        if (target.getCheckPending()) {
            body.append("<br>check pending");
            runLink(body, target.getLastRunId());
        }
        body.append("</td><td>").append(text(target.getStateReason()));
        if (target.getConsecutiveFailures() > 0) {
            body.append(target.getStateReason().isEmpty() ? "" : "<br>").append(target.getConsecutiveFailures())
                    .append(" failed in a row");
        }
        body.append("</td><td>");
        runLink(body, target.getResultRunId());
        if (!target.getCommitSha().isEmpty()) {
            body.append("<br>commit <code>").append(text(target.getCommitSha().substring(0, Math.min(12, target.getCommitSha().length()))))
                    .append("</code>");
        }
        body.append("</td><td>");
        if (target.hasPlanCounts()) {
            PlanChangeCounts counts = target.getPlanCounts();
            body.append(counts.getCreate()).append(" to create, ").append(counts.getUpdate()).append(" to update, ")
                    .append(counts.getReplace()).append(" to replace, ").append(counts.getDelete()).append(" to delete");
        }
        if (target.hasResourceDrift()) {
            body.append("<br>").append(target.getResourceDrift()).append(" changed outside Terraform");
        }
        body.append("</td><td>").append(target.hasLastCheckedAt() ? text(time(target.getLastCheckedAt())) : "never")
                .append("</td><td>").append(text(time(target.getNextDue()))).append("</td></tr>\n");
    }

    private static void runLink(StringBuilder body, String runId) {
        if (RUN_ID.matcher(runId).matches()) {
            body.append(" <a href=\"/runs/").append(text(runId)).append("\">run ").append(text(runId.length() > 8 ? runId.substring(0, 8) : runId))
                    .append("</a>");
        }
    }

    private static String time(Timestamp time) {
        return Instant.ofEpochSecond(time.getSeconds(), time.getNanos()).toString();
    }
}
