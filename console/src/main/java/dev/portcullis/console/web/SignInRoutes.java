package dev.portcullis.console.web;

import static dev.portcullis.console.web.Html.text;
import static java.util.Objects.requireNonNull;

import dev.portcullis.console.refusal.Refusal;
import dev.portcullis.console.refusal.Refusals;
import dev.portcullis.console.signin.OidcSignIn;
import dev.portcullis.console.signin.SignInCookie;
import dev.portcullis.console.signin.SignInRefusedException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in and sign-out. {@code GET /signin} sends the browser to the identity provider with a
 * sign-in cookie ({@code __Host-portcullis-signin}, {@code SameSite=Lax} so it comes back with
 * the provider's redirect, ten minutes) holding the pending sign-in itself, sealed
 * ({@link dev.portcullis.console.signin.SignInCookie}): the server keeps nothing until the
 * callback, which clears the cookie, verifies everything, starts a fresh session and sets the {@code SameSite=Strict} session
 * cookie. It answers with a page that moves on by itself (a meta refresh, no script): a redirect
 * would still count as the provider's cross-site navigation and the browser would hold back the
 * strict cookie. {@code POST /signout} ends the session.
 */
public final class SignInRoutes {
    private static final Logger log = LoggerFactory.getLogger(SignInRoutes.class);
    static final String SIGNIN_COOKIE = "__Host-portcullis-signin";
    private static final Pattern RETURN_PATH = Pattern.compile("/(?!/)[A-Za-z0-9/_.~%=&?-]{0,512}");

    private final OidcSignIn signIn;
    private final SessionStore sessions;
    private final Refusals refusals;

    /** @param refusals where a sign-in refused at the callback is recorded for the audit log */
    public SignInRoutes(OidcSignIn signIn, SessionStore sessions, Refusals refusals) {
        this.signIn = requireNonNull(signIn, "signIn is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.refusals = requireNonNull(refusals, "refusals is null");
    }

    public List<Route> routes() {
        return List.of(
                Route.of("GET", "/signin", (request, path) -> begin(request)),
                Route.of("GET", "/signin/callback", (request, path) -> callback(request)),
                Route.of("POST", "/signout", (request, path) -> signOut(request)));
    }

    /** Where the user goes to sign in and come back to {@code returnTo}; with {@code fresh}, the provider must authenticate them again. */
    public static String signInPath(String returnTo, boolean fresh) {
        return "/signin?return=" + java.net.URLEncoder.encode(returnTo, java.nio.charset.StandardCharsets.UTF_8) + (fresh ? "&fresh=1" : "");
    }

    private WebResponse begin(WebRequest request) {
        String returnTo = request.queryValue("return").filter(value -> RETURN_PATH.matcher(value).matches()).orElse("/runs");
        boolean fresh = request.queryValue("fresh").isPresent();
        OidcSignIn.Start start;
        try {
            start = signIn.begin(returnTo, fresh);
        } catch (SignInRefusedException e) {
            log.atWarn().addKeyValue("reason", e.reason().name()).log("console.signin_failed");
            return Layout.problem(503, request.session(), "Cannot sign in", e.getMessage());
        }
        return WebResponse.redirect(start.authorizationUrl().toString()).with("Set-Cookie", SIGNIN_COOKIE + "="
                + start.cookie() + "; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=" + SignInCookie.LIFETIME.toSeconds());
    }

    private WebResponse callback(WebRequest request) {
        String clearSignIn = SIGNIN_COOKIE + "=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0";
        Optional<String> state = request.queryValue("state");
        Optional<String> pending = request.cookie(SIGNIN_COOKIE);
        try {
            if (state.isEmpty()) {
                throw new SignInRefusedException(SignInRefusedException.Reason.STATE_MISMATCH);
            }
            Optional<String> code = request.queryValue("code");
            if (request.queryValue("error").isPresent() || code.isEmpty()) {
                signIn.refused(state.get(), pending);
            }
            OidcSignIn.Completed done = signIn.complete(state.get(), pending, code.orElseThrow());
            request.session().ifPresent(old -> sessions.close(old.id()));
            Session session = sessions.open(done.user());
            log.atInfo().addKeyValue("subject", done.user().subject()).log("console.signed_in");
            String body = "<p>Signed in as <strong>" + text(done.user().displayName()) + "</strong>.</p>"
                    + "<p><a href=\"" + text(done.returnTo()) + "\">Continue</a></p>";
            String page = Layout.page("Signed in", Optional.of(session), body)
                    .replace("<meta charset=\"utf-8\">", "<meta charset=\"utf-8\">\n<meta http-equiv=\"refresh\" content=\"0; url="
                            + text(done.returnTo()) + "\">");
            return WebResponse.html(200, page).with("Set-Cookie", SessionStore.COOKIE + "=" + session.id()
                    + "; Path=/; Secure; HttpOnly; SameSite=Strict\n" + clearSignIn);
        } catch (SignInRefusedException e) {
            log.atWarn().addKeyValue("reason", e.reason().name()).log("console.signin_failed");
            if (e.reason() != SignInRefusedException.Reason.PROVIDER_UNAVAILABLE) {
                // the provider being down refuses no one; everything else is a sign-in refused, and audited
                // (the path only: the query holds the code and state)
                refusals.record(new Refusal(e.reason().name(), request.method(), request.path(), request.sourceAddress(),
                        request.session().map(session -> session.user().subject()).orElse("")));
            }
            String body = "<p class=\"problem\" role=\"alert\">" + text(e.getMessage()) + " (" + text(e.reason().name()) + ")</p>"
                    + "<p><a href=\"/signin\">Sign in again</a></p>";
            return WebResponse.html(e.reason() == SignInRefusedException.Reason.PROVIDER_UNAVAILABLE ? 503 : 403,
                    Layout.page("Not signed in", Optional.empty(), body)).with("Set-Cookie", clearSignIn);
        }
    }

    private WebResponse signOut(WebRequest request) {
        request.session().ifPresent(session -> sessions.close(session.id()));
        return WebResponse.seeOther("/signin/done").with("Set-Cookie", SessionStore.COOKIE
                + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    }

    /** The page after signing out. */
    public static Route signedOut() {
        return Route.of("GET", "/signin/done", (request, path) -> WebResponse.html(200, Layout.page("Signed out", Optional.empty(),
                "<p>You are signed out of the console. <a href=\"/signin\">Sign in</a></p>")));
    }
}
