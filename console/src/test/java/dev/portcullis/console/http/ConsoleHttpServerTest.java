package dev.portcullis.console.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.console.testing.Browser;
import dev.portcullis.console.testing.ConsoleFixture;
import dev.portcullis.runtime.pki.PemFiles;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleHttpServerTest {
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
    void everyAnswerCarriesTheStrictContentSecurityPolicyAndNoCaching() {
        Browser browser = fixture.browser();

        for (String path : List.of("/signin/done", "/static/console.js", "/no/such/page", "/runs")) {
            HttpResponse<String> answer = browser.get(fixture.url + path);

            assertEquals(ConsoleHttpServer.CONTENT_SECURITY_POLICY, answer.headers().firstValue("Content-Security-Policy").orElse(""), path);
            assertEquals("nosniff", answer.headers().firstValue("X-Content-Type-Options").orElse(""), path);
            assertEquals("same-origin", answer.headers().firstValue("Referrer-Policy").orElse(""), path);
            assertEquals("no-store", answer.headers().firstValue("Cache-Control").orElse(""), path);
        }
    }

    @Test
    void pagesHoldNoInlineScriptOrStyle() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/runs", "admin");

        for (String path : java.util.List.of("/runs", "/alerts", "/drift", "/sources", "/audit", "/audit/integrity")) {
            HttpResponse<String> answer = browser.get(fixture.url + path);

            assertEquals(200, answer.statusCode(), path);
            String page = answer.body();
            assertTrue(Pattern.compile("<script src=\"/static/console.js\" defer></script>").matcher(page).find(), page);
            assertFalse(Pattern.compile("<script>|<script [^s]|<style|style=|\\son[a-z]+=").matcher(page).find(), page);
        }
    }

    @Test
    void theFaviconBrowsersAskForIsAnsweredEmpty() {
        HttpResponse<String> answer = fixture.browser().get(fixture.url + "/favicon.ico");

        assertEquals(204, answer.statusCode());
    }

    @Test
    void theHealthEndpointAnswersOkWithoutASessionOrAGatewayCall() {
        int callsBefore = fixture.gateway.authorizations().size();

        HttpResponse<String> answer = fixture.browser().get(fixture.url + "/healthz");

        assertEquals(200, answer.statusCode());
        assertEquals("ok", answer.body());
        assertEquals(callsBefore, fixture.gateway.authorizations().size());
    }

    @Test
    void aFormOverSixtyFourKibibytesIsRefusedAsTooLarge() {
        Browser browser = fixture.browser();

        HttpResponse<String> refused = browser.post(fixture.url + "/signout", fixture.url, java.util.Map.of("csrf", "x".repeat(64 * 1024)));

        assertEquals(413, refused.statusCode());
        assertEquals(ConsoleHttpServer.CONTENT_SECURITY_POLICY, refused.headers().firstValue("Content-Security-Policy").orElse(""));
    }

    @Test
    void aFormDeclaredTooLargeIsRefusedBeforeTheBrowserSendsIt() throws Exception {
        try (SSLSocket socket = tlsSocket()) {

            socket.getOutputStream().write(("POST /signout HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 70000\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);

            assertEquals("HTTP/1.1 413", status);
        }
    }

    @Test
    void aRequestTheServerCannotParseIsAnsweredBadRequest() throws Exception {
        try (SSLSocket socket = tlsSocket()) {

            socket.getOutputStream().write("GET /runs HTTP/1.1\r\nHost: localhost\r\nBroken header\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);

            assertEquals("HTTP/1.1 400", status);
        }
    }

    /** A connection to the console trusting the test CA, that waits at most ten seconds for an answer. */
    private static SSLSocket tlsSocket() throws IOException {
        SSLSocket socket = (SSLSocket) PemFiles.trustingOnly(fixture.pki.caFile())
                .getSocketFactory().createSocket("localhost", fixture.console.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void aStateChangeWithoutASessionIsRefused() {
        Browser browser = fixture.browser();

        HttpResponse<String> refused = browser.post(fixture.url + "/signout", fixture.url, java.util.Map.of("csrf", "guess"));

        assertEquals(403, refused.statusCode());
    }
}
