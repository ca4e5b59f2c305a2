package dev.portcullis.console.refusal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.console.testing.Browser;
import dev.portcullis.console.testing.ConsoleFixture;
import dev.portcullis.console.testing.FormFields;
import dev.portcullis.console.testing.Runs;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditOutcome;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forms the console refuses itself (issue 23, hostile tests) reach the audit log: the stand-in audit
 * service receives one {@code auth.failed} per refusal, with the connection's source address and
 * what was attempted, and never the CSRF token or the session cookie.
 */
class FormRefusalAuditTest {
    @TempDir
    static Path dir;
    private static ConsoleFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ConsoleFixture.start(dir);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void aFormWithoutTheCsrfTokenIsRefusedAndAuditedWithItsSourceAndNoSecret() {
        Browser browser = signedIn();
        String csrf = FormFields.of(browser.get(fixture.url + "/runs").body()).get("csrf");
        String cookie = browser.cookie(fixture.url, "__Host-portcullis-session").orElseThrow();
        String path = "/runs/" + UUID.randomUUID() + "/approve";

        HttpResponse<String> refused = browser.post(fixture.url + path, fixture.url, Map.of("digest", Runs.DIGEST));

        assertEquals(403, refused.statusCode());
        AuditEvent event = awaitOnlyEventFor(path);
        assertEquals("CSRF_MISSING", event.getReason());
        assertEquals(AuditAction.AUDIT_ACTION_AUTH_FAILED, event.getAction());
        assertEquals(AuditOutcome.AUDIT_OUTCOME_DENIED, event.getOutcome());
        assertEquals("console", event.getService());
        assertTrue(event.getSourceAddress().matches("127\\.0\\.0\\.1:\\d+"), event.getSourceAddress());
        assertEquals("POST", event.getAttributesOrThrow("method"));
        assertEquals("approver", event.getAttributesOrThrow("session_subject"));
        assertFalse(event.toString().contains(csrf), "the CSRF token is recorded");
        assertFalse(event.toString().contains(cookie), "the session cookie is recorded");
    }

    @Test
    void aFormWithAWrongCsrfTokenIsAuditedWithoutTheValueSent() {
        Browser browser = signedIn();
        String path = "/runs/" + UUID.randomUUID() + "/reject";

        HttpResponse<String> refused = browser.post(fixture.url + path, fixture.url, Map.of("csrf", "guessed-token-0123456789"));

        assertEquals(403, refused.statusCode());
        AuditEvent event = awaitOnlyEventFor(path);
        assertEquals("CSRF_MISMATCH", event.getReason());
        assertFalse(event.toString().contains("guessed-token-0123456789"), "the value sent is recorded");
    }

    @Test
    void aFormFromAForeignOriginIsRefusedAndAuditedWithItsSource() {
        Browser browser = signedIn();
        String csrf = FormFields.of(browser.get(fixture.url + "/runs").body()).get("csrf");
        String path = "/runs/" + UUID.randomUUID() + "/approve";

        HttpResponse<String> refused = browser.post(fixture.url + path, "https://attacker.example",
                Map.of("csrf", csrf, "digest", Runs.DIGEST));

        assertEquals(403, refused.statusCode());
        AuditEvent event = awaitOnlyEventFor(path);
        assertEquals("ORIGIN_FOREIGN", event.getReason());
        assertTrue(event.getSourceAddress().startsWith("127.0.0.1:"), event.getSourceAddress());
        assertFalse(event.toString().contains(csrf), "the CSRF token is recorded");
    }

    @Test
    void aFormWithoutASessionIsAuditedAsUnauthenticated() {
        Browser browser = fixture.browser();
        String path = "/runs/" + UUID.randomUUID() + "/approve";

        HttpResponse<String> refused = browser.post(fixture.url + path, fixture.url, Map.of("csrf", "guess"));

        assertEquals(403, refused.statusCode());
        AuditEvent event = awaitOnlyEventFor(path);
        assertEquals("SESSION_MISSING", event.getReason());
        assertEquals("none", event.getAttributesOrThrow("authentication"));
        assertEquals("", event.getActor());
    }

    private static Browser signedIn() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/runs", "approver");
        return browser;
    }

    /** The one event recorded for {@code path}, once the console delivered it. */
    private static AuditEvent awaitOnlyEventFor(String path) {
        List<AuditEvent> found = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> fixture.gateway.appended().stream().filter(e -> e.getResource().getId().equals(path)).toList(),
                        events -> !events.isEmpty());
        assertEquals(1, found.size(), "events for " + path);
        return found.get(0);
    }
}
