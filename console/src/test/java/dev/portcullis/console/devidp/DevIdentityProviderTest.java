package dev.portcullis.console.devidp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.console.testing.Browser;
import dev.portcullis.console.testing.ConsoleFixture;
import dev.portcullis.console.testing.FormFields;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevIdentityProviderTest {
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

    /** Picks the approver at the provider for a sign-in the console started; returns the code. */
    private static String code(Browser browser) {
        Map<String, String> form = FormFields.of(browser.follow(fixture.url + "/runs").body());
        form.put("user", "approver");
        String callback = browser.post(fixture.idp.url() + "/authorize", fixture.idp.url(), form).headers().firstValue("Location").orElseThrow();
        String query = URI.create(callback).getRawQuery();
        for (String pair : query.split("&")) {
            if (pair.startsWith("code=")) {
                return URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no code in " + callback);
    }

    private static HttpResponse<String> token(Browser browser, String code, String verifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("client_id", DevIdentityProvider.CLIENT_ID);
        form.put("redirect_uri", fixture.url + "/signin/callback");
        form.put("code_verifier", verifier);
        return browser.post(fixture.idp.url() + "/token", "", form);
    }

    @Test
    void theTokenEndpointRefusesACodeWithoutItsPkceVerifier() {
        Browser browser = fixture.browser();
        String code = code(browser);

        HttpResponse<String> refused = token(browser, code, "a".repeat(43));

        assertEquals(400, refused.statusCode());
        assertTrue(refused.body().contains("invalid_grant"));
    }

    @Test
    void anAuthorizationRequestForAnUnregisteredRedirectUriIsRefusedWithoutRedirecting() {
        Browser browser = fixture.browser();

        HttpResponse<String> refused = browser.get(fixture.idp.url() + "/authorize?response_type=code&client_id="
                + DevIdentityProvider.CLIENT_ID + "&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&scope=openid&state=s"
                + "&code_challenge=" + "a".repeat(43) + "&code_challenge_method=S256");

        assertEquals(400, refused.statusCode());
        assertTrue(refused.headers().firstValue("Location").isEmpty());
    }

    @Test
    void anAuthorizationRequestWithoutPkceIsAnsweredWithAnError() {
        Browser browser = fixture.browser();

        HttpResponse<String> refused = browser.get(fixture.idp.url() + "/authorize?response_type=code&client_id="
                + DevIdentityProvider.CLIENT_ID + "&redirect_uri=" + fixture.url + "/signin/callback&scope=openid&state=s");

        assertEquals(302, refused.statusCode());
        assertTrue(refused.headers().firstValue("Location").orElseThrow().contains("error=invalid_request"));
    }
}
