package dev.portcullis.console.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.portcullis.console.testing.Browser;
import dev.portcullis.console.testing.ConsoleFixture;
import dev.portcullis.v1.Alert;
import dev.portcullis.v1.AlertSeverity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertPagesTest {
    private static final String RUN = "0b5e7c2a-1111-4222-8333-444455556666";

    @TempDir
    static Path dir;
    static ConsoleFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ConsoleFixture.start(dir);
        fixture.gateway.putAlert(Alert.newBuilder().setSequence(1).setRule("auth_failure_burst").setSeverity(AlertSeverity.ALERT_SEVERITY_LOW)
                .setSummary("3 failures from <b>10.0.0.1</b>").setRaisedAt(Timestamp.newBuilder().setSeconds(1_780_000_000)).build());
        fixture.gateway.putAlert(Alert.newBuilder().setSequence(2).setRule("break_glass").setSeverity(AlertSeverity.ALERT_SEVERITY_CRITICAL)
                .setSummary("<script>alert(1)</script> used break-glass").setRaisedAt(Timestamp.newBuilder().setSeconds(1_780_000_060))
                .putAttributes("run_id", RUN).putAttributes("\"><img src=x onerror=alert(1)>", "'onmouseover='alert(1)").build());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private Browser auditor() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/alerts", "auditor");
        return browser;
    }

    @Test
    void alertsShowTheirSeverityAsAWordAndLinkTheRunTheyName() {
        Browser browser = auditor();

        String page = browser.get(fixture.url + "/alerts").body();

        assertTrue(page.contains("<span class=\"severity severity-critical\">CRITICAL</span>"), page);
        assertTrue(page.contains("<span class=\"severity severity-low\">LOW</span>"), page);
        assertTrue(page.contains("<a href=\"/runs/" + RUN + "\">" + RUN + "</a>"), page);
        assertTrue(page.indexOf("break_glass") < page.indexOf("auth_failure_burst"), "newest first: " + page);
        assertTrue(page.contains("data-after=\"2\""), page);
    }

    @Test
    void everyAlertFieldIsEscaped() {
        Browser browser = auditor();

        String page = browser.get(fixture.url + "/alerts").body();

        assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; used break-glass"), page);
        assertTrue(page.contains("3 failures from &lt;b&gt;10.0.0.1&lt;/b&gt;"), page);
        assertFalse(page.contains("<script>alert") || page.contains("<img src=x") || page.contains("'onmouseover='")
                || page.contains("<b>10"), page);
    }

    @Test
    void newAlertsStreamAsServerSentEventsAndResumeAfterTheLastEventId() throws Exception {
        Browser browser = auditor();
        String cookie = browser.setCookies().stream().filter(c -> c.startsWith("__Host-portcullis-session=")).findFirst().orElseThrow()
                .split(";", 2)[0];
        HttpClient http = HttpClient.newBuilder().sslContext(dev.portcullis.runtime.pki.PemFiles.trustingOnly(fixture.pki.caFile())).build();
        HttpRequest.Builder events = HttpRequest.newBuilder(URI.create(fixture.url + "/alerts/events?after=0"))
                .header("Cookie", cookie).timeout(Duration.ofSeconds(30));

        String all = http.send(events.build(), HttpResponse.BodyHandlers.ofString()).body();
        String resumed = http.send(events.header("Last-Event-ID", "1").build(), HttpResponse.BodyHandlers.ofString()).body();

        assertTrue(all.startsWith("id: 1\nevent: alert\ndata: {\"sequence\":\"1\""), all);
        assertTrue(all.contains("id: 2\nevent: alert\ndata: {\"sequence\":\"2\""), all);
        assertTrue(all.contains("\"severity\":\"ALERT_SEVERITY_CRITICAL\"") && all.contains("\"run_id\":\"" + RUN + "\""), all);
        assertTrue(resumed.startsWith("id: 2\n") && !resumed.contains("id: 1\n"), resumed);
        assertEquals(List.of(0L, 1L), fixture.gateway.alertWatches().stream().map(w -> w.getAfterSequence()).toList().subList(
                fixture.gateway.alertWatches().size() - 2, fixture.gateway.alertWatches().size()));
    }

    @Test
    void aPersonWithoutTheAuditorRoleSeesTheAuditServicesReason() throws Exception {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/runs", "approver");

        HttpResponse<String> refused = browser.get(fixture.url + "/alerts");

        assertEquals(403, refused.statusCode());
        assertTrue(refused.body().contains("PERMISSION_DENIED (ROLE_REQUIRED)</strong>: the audit log needs the auditor or admin role"),
                refused.body());
        String cookie = browser.setCookies().stream().filter(c -> c.startsWith("__Host-portcullis-session=")).findFirst().orElseThrow()
                .split(";", 2)[0];
        HttpClient http = HttpClient.newBuilder().sslContext(dev.portcullis.runtime.pki.PemFiles.trustingOnly(fixture.pki.caFile())).build();
        String stream = http.send(HttpRequest.newBuilder(URI.create(fixture.url + "/alerts/events")).header("Cookie", cookie)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertEquals("event: problem\ndata: PERMISSION_DENIED (ROLE_REQUIRED): the audit log needs the auditor or admin role\n\n", stream);
    }
}
