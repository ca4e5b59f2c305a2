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
import dev.portcullis.v1.ListSourcesResponse;
import dev.portcullis.v1.Source;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The pipeline sources the audit service takes deliveries from (its {@code ListSources}): kind,
 * deliveries and refusals with the newest refusal's reason, and whether a watched source has gone
 * silent, said in words.
 */
public final class SourcesPage {
    private final AuditCalls audit;

    public SourcesPage(AuditCalls audit) {
        this.audit = requireNonNull(audit, "audit is null");
    }

    public List<Route> routes() {
        return List.of(Route.of("GET", "/sources", (request, path) -> RunPages.signedIn(request, session -> show(request, session))));
    }

    private WebResponse show(WebRequest request, Session session) {
        ListSourcesResponse sources;
        try {
            sources = audit.sources(session.user().idToken());
        } catch (CallRefusedException e) {
            return RunPages.refused(request, session, "Pipeline sources", e, "/runs");
        }
        StringBuilder body = new StringBuilder();
        body.append("<p>").append(sources.getListenerEnabled() ? "The audit service takes deliveries at <code>/sources/NAME</code>."
                : "The audit service's delivery listener is off (<code>portcullis.audit.sources.port</code> is not set).").append("</p>");
        if (sources.getSourcesCount() == 0) {
            body.append("<p>No pipeline sources are configured.</p>");
            return WebResponse.html(200, Layout.page("Pipeline sources", Optional.of(session), body.toString()));
        }
        body.append("<div class=\"scroll\"><table><caption>Pipeline sources</caption><thead><tr>")
                .append("<th scope=\"col\">Name</th><th scope=\"col\">Kind</th><th scope=\"col\">Status</th>")
                .append("<th scope=\"col\">Deliveries</th><th scope=\"col\">Last delivery</th><th scope=\"col\">Refusals</th>")
                .append("<th scope=\"col\">Last refusal</th></tr></thead><tbody>");
        for (Source source : sources.getSourcesList()) {
            body.append("<tr><td>").append(text(source.getName())).append("</td><td>")
                    .append(text(source.getKind().name().replaceFirst("^SOURCE_KIND_", "").toLowerCase(Locale.ROOT))).append("</td><td>");
            if (source.getSilent()) {
                body.append("<strong class=\"problem\">SILENT</strong> longer than ").append(text(duration(source.getMaxSilence())));
            } else if (source.hasMaxSilence()) {
                body.append("OK (watched: silent at most ").append(text(duration(source.getMaxSilence()))).append(')');
            } else {
                body.append("OK");
            }
            body.append("</td><td>").append(source.getDeliveries()).append("</td><td>")
                    .append(source.hasLastDeliveryTime() ? text(time(source.getLastDeliveryTime())) : "never").append("</td><td>")
                    .append(source.getRefusals()).append("</td><td>");
            if (source.hasLastRefusalTime()) {
                body.append(text(time(source.getLastRefusalTime())));
                if (!source.getLastRefusalReason().isEmpty()) {
                    body.append(" <code>").append(text(source.getLastRefusalReason())).append("</code>");
                }
            } else {
                body.append("none");
            }
            body.append("</td></tr>\n");
        }
        body.append("</tbody></table></div>");
        return WebResponse.html(200, Layout.page("Pipeline sources", Optional.of(session), body.toString()));
    }

    private static String duration(com.google.protobuf.Duration duration) {
        return Duration.ofSeconds(duration.getSeconds(), duration.getNanos()).toString().substring(2).toLowerCase(Locale.ROOT);
    }

    private static String time(Timestamp time) {
        return Instant.ofEpochSecond(time.getSeconds(), time.getNanos()).toString();
    }
}
