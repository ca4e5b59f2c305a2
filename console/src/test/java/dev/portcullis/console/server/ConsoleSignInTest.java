package dev.portcullis.console.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.console.testing.Browser;
import dev.portcullis.console.testing.ConsoleFixture;
import dev.portcullis.console.testing.FormFields;
import dev.portcullis.console.testing.Runs;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.v1.Run;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleSignInTest {
    @TempDir
    static Path dir;
    static ConsoleFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ConsoleFixture.start(dir);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void aSignedOutBrowserIsSentToTheIdentityProviderWithPkce() {
        Browser browser = fixture.browser();

        HttpResponse<String> toSignIn = browser.get(fixture.url + "/runs");
        HttpResponse<String> toProvider = browser.get(fixture.url + toSignIn.headers().firstValue("Location").orElseThrow());

        String location = toProvider.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith(fixture.idp.url() + "/authorize?"), location);
        assertTrue(location.contains("code_challenge_method=S256") && location.contains("code_challenge="), location);
        assertTrue(location.contains("nonce=") && location.contains("state="), location);
    }

    @Test
    void signingInSetsAStrictSecureHttpOnlyHostSessionCookie() {
        Browser browser = fixture.browser();

        HttpResponse<String> signedIn = fixture.signIn(browser, "/runs", "approver");

        assertEquals(200, signedIn.statusCode());
        assertTrue(signedIn.body().contains("Signed in as <strong>Dev approver</strong>"), signedIn.body());
        String cookie = browser.setCookies().stream().filter(c -> c.startsWith("__Host-portcullis-session=")).findFirst().orElseThrow();
        assertTrue(cookie.contains("; Secure") && cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict")
                && cookie.contains("; Path=/"), cookie);
    }

    @Test
    void signingInReturnsToThePageAskedForWithItsQuery() {
        Browser browser = fixture.browser();

        HttpResponse<String> signedIn = fixture.signIn(browser, "/runs?state=AWAITING_APPROVAL&repo=example", "approver");

        assertTrue(signedIn.body().contains("content=\"0; url=/runs?state=AWAITING_APPROVAL&amp;repo=example\""), signedIn.body());
    }

    @Test
    void theConsoleCallsTheGatewayWithTheSignedInUsersIdTokenAsBearer() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/runs", "auditor");
        int before = fixture.gateway.authorizations().size();

        HttpResponse<String> runs = browser.get(fixture.url + "/runs");

        assertEquals(200, runs.statusCode());
        String header = fixture.gateway.authorizations().get(before);
        assertTrue(header.startsWith("Bearer ey") && header.split("\\.").length == 3, "a bearer JWT");
        assertTrue(com.nimbusds.jwt.SignedJWT.class.isInstance(parse(header.substring(7))));
    }

    @Test
    void theIdTokenAppearsInNoPageUrlOrCookie() {
        Run plan = Runs.plan();
        fixture.gateway.put(plan);
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/runs/" + plan.getRunId(), "approver");

        for (String path : java.util.List.of("/runs/" + plan.getRunId(), "/runs", "/runs/list.json", "/alerts", "/drift", "/sources",
                "/audit", "/audit/integrity")) {
            browser.get(fixture.url + path);
        }

        String header = fixture.gateway.authorizations().get(fixture.gateway.authorizations().size() - 1);
        String token = header.substring("Bearer ".length());
        String signature = token.substring(token.lastIndexOf('.') + 1);
        assertFalse(browser.bodies().stream().anyMatch(body -> body.contains(signature)), "a page holds the token");
        assertFalse(browser.visited().stream().anyMatch(url -> url.contains(signature)), "a URL holds the token");
        assertFalse(browser.setCookies().stream().anyMatch(cookie -> cookie.contains(signature)), "a cookie holds the token");
    }

    @Test
    void aCallbackArrivingInAnotherBrowserIsRefused() {
        Browser victim = fixture.browser();
        Browser attacker = fixture.browser();
        HttpResponse<String> picker = attacker.follow(fixture.url + "/runs");
        Map<String, String> form = FormFields.of(picker.body());
        form.put("user", "admin");
        String callback = attacker.post(fixture.idp.url() + "/authorize", fixture.idp.url(), form).headers().firstValue("Location").orElseThrow();

        HttpResponse<String> landed = victim.get(callback);

        assertEquals(403, landed.statusCode());
        assertTrue(landed.body().contains("SIGNIN_MISSING"), landed.body());
        assertTrue(victim.setCookies().stream().noneMatch(c -> c.startsWith("__Host-portcullis-session=") && !c.contains("Max-Age=0")));
    }

    /** Starts a sign-in in {@code browser} and picks {@code user} at the provider; returns the callback URL, not yet visited. */
    private static String callbackFor(Browser browser, String user) {
        Map<String, String> form = FormFields.of(browser.follow(fixture.url + "/runs").body());
        form.put("user", user);
        return browser.post(fixture.idp.url() + "/authorize", fixture.idp.url(), form).headers().firstValue("Location").orElseThrow();
    }

    private static void assertRefusedWithPage(HttpResponse<String> landed, String reason) {
        assertEquals(403, landed.statusCode());
        assertTrue(landed.body().contains("Not signed in") && landed.body().contains("(" + reason + ")")
                && landed.body().contains("Sign in again"), landed.body());
    }

    @Test
    void aSignInCookieSetsSecureHttpOnlyLaxTenMinutesAndHoldsNoSecretInTheClear() {
        Browser browser = fixture.browser();

        browser.follow(fixture.url + "/runs");

        String cookie = browser.setCookies().stream().filter(c -> c.startsWith("__Host-portcullis-signin=")).findFirst().orElseThrow();
        assertTrue(cookie.contains("; Secure") && cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax")
                && cookie.contains("; Path=/") && cookie.contains("; Max-Age=600"), cookie);
        String state = browser.visited().get(browser.visited().size() - 1).replaceAll(".*[?&]state=([^&]*).*", "$1");
        assertFalse(cookie.contains(state), "the cookie shows the state in the clear");
    }

    @Test
    void aTamperedSignInCookieIsRefused() {
        Browser browser = fixture.browser();
        String callback = callbackFor(browser, "approver");
        String sealed = browser.cookie(fixture.url, "__Host-portcullis-signin").orElseThrow();
        char last = sealed.charAt(sealed.length() / 2);
        browser.putCookie(fixture.url, "__Host-portcullis-signin",
                sealed.substring(0, sealed.length() / 2) + (last == 'A' ? 'B' : 'A') + sealed.substring(sealed.length() / 2 + 1));

        HttpResponse<String> landed = browser.get(callback);

        assertRefusedWithPage(landed, "SIGNIN_INVALID");
    }

    @Test
    void aCallbackForAnotherSignInOfTheSameBrowserIsRefused() {
        Browser browser = fixture.browser();
        String first = callbackFor(browser, "approver");
        callbackFor(browser, "auditor"); // a second sign-in replaces the browser's cookie

        HttpResponse<String> landed = browser.get(first);

        assertRefusedWithPage(landed, "STATE_MISMATCH");
    }

    @Test
    void aSignInCompletesOnlyOnce() {
        Browser browser = fixture.browser();
        String callback = callbackFor(browser, "approver");
        assertEquals(200, browser.get(callback).statusCode());

        HttpResponse<String> replayed = browser.get(callback);

        assertRefusedWithPage(replayed, "SIGNIN_MISSING");
    }

    @Test
    void aFloodOfTwentyThousandBegunSignInsLeavesAnotherUsersSignInWorking() throws Exception {
        Browser victim = fixture.browser();
        String callback = callbackFor(victim, "approver");
        // anyone may begin sign-ins; a browser that never comes back is what a flood is made of
        HttpClient flooder = HttpClient.newBuilder().sslContext(PemFiles.trustingOnly(fixture.pki.caFile())).build();

        for (int i = 0; i < 20_000; i++) {
            HttpResponse<Void> begun = flooder.send(HttpRequest.newBuilder(URI.create(fixture.url + "/signin")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(302, begun.statusCode());
        }
        HttpResponse<String> landed = victim.get(callback);

        assertEquals(200, landed.statusCode(), landed.body());
        assertTrue(landed.body().contains("Signed in as <strong>Dev approver</strong>"), landed.body());
    }

    @Test
    void signingOutEndsTheSession() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/runs", "approver");
        Map<String, String> form = FormFields.of(browser.get(fixture.url + "/runs").body());

        HttpResponse<String> out = browser.post(fixture.url + "/signout", fixture.url, form);
        HttpResponse<String> after = browser.get(fixture.url + "/runs");

        assertEquals(303, out.statusCode());
        assertEquals(303, after.statusCode());
        assertTrue(after.headers().firstValue("Location").orElseThrow().startsWith("/signin"));
    }

    private static Object parse(String token) {
        try {
            return com.nimbusds.jwt.SignedJWT.parse(token);
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }
}
