package dev.portcullis.console.web;

import static dev.portcullis.console.web.Html.text;

import java.util.Optional;

/**
 * The frame of every page: the console's stylesheet and script (files, never inline), a skip link,
 * the navigation, who is signed in and the sign-out form with the session's CSRF token. Titles
 * and names are escaped here; {@code body} is HTML the caller escaped.
 */
public final class Layout {
    private Layout() {}

    /** A whole page. */
    public static String page(String title, Optional<Session> session, String body) {
        StringBuilder html = new StringBuilder(4096);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(text(title)).append(" · Portcullis</title>\n")
                .append("<link rel=\"stylesheet\" href=\"/static/console.css\">\n")
                .append("<script src=\"/static/console.js\" defer></script>\n</head>\n<body>\n")
                .append("<a class=\"skip\" href=\"#main\">Skip to content</a>\n")
                .append("<header><nav aria-label=\"Main\"><a class=\"brand\" href=\"/runs\">Portcullis</a>");
        if (session.isPresent()) {
            html.append(" <a href=\"/runs\">Runs</a> <a href=\"/alerts\">Alerts</a> <a href=\"/drift\">Drift</a>")
                    .append(" <a href=\"/audit\">Audit log</a> <a href=\"/sources\">Sources</a>")
                    .append("<span class=\"who\">Signed in as <strong>").append(text(session.get().user().displayName()))
                    .append("</strong></span>")
                    .append("<form class=\"inline\" method=\"post\" action=\"/signout\">").append(csrfField(session.get()))
                    .append("<button type=\"submit\">Sign out</button></form>");
        } else {
            html.append(" <a href=\"/signin\">Sign in</a>");
        }
        html.append("</nav></header>\n<main id=\"main\">\n<h1>").append(text(title)).append("</h1>\n")
                .append(body).append("\n</main>\n</body>\n</html>\n");
        return html.toString();
    }

    /** The hidden field every form of a signed-in page carries. */
    public static String csrfField(Session session) {
        return "<input type=\"hidden\" name=\"csrf\" value=\"" + text(session.csrfToken()) + "\">";
    }

    /** A page saying what went wrong, with {@code status}. */
    public static WebResponse problem(int status, Optional<Session> session, String title, String message) {
        return WebResponse.html(status, page(title, session, "<p class=\"problem\" role=\"alert\">" + text(message) + "</p>"));
    }
}
