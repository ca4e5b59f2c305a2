package dev.portcullis.console.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.portcullis.console.testing.Browser;
import dev.portcullis.console.testing.ConsoleFixture;
import dev.portcullis.v1.Source;
import dev.portcullis.v1.SourceKind;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesPageTest {
    @TempDir
    static Path dir;
    static ConsoleFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ConsoleFixture.start(dir);
        fixture.gateway.putSource(Source.newBuilder().setName("github-<b>acme</b>").setKind(SourceKind.SOURCE_KIND_GITHUB)
                .setDeliveries(41).setLastDeliveryTime(Timestamp.newBuilder().setSeconds(1_780_000_000)).setRefusals(2)
                .setLastRefusalTime(Timestamp.newBuilder().setSeconds(1_780_000_060)).setLastRefusalReason("SIGNATURE_INVALID<script>")
                .setMaxSilence(Duration.newBuilder().setSeconds(3600)).setSilent(true).build());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void aSourceShowsDeliveriesRefusalsAndSilenceInWordsEscaped() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/sources", "auditor");

        String page = browser.get(fixture.url + "/sources").body();

        assertTrue(page.contains("<td>github-&lt;b&gt;acme&lt;/b&gt;</td><td>github</td>"), page);
        assertTrue(page.contains("<strong class=\"problem\">SILENT</strong> longer than 1h"), page);
        assertTrue(page.contains("<td>41</td><td>2026-05-28T20:26:40Z</td><td>2</td>"), page);
        assertTrue(page.contains("<code>SIGNATURE_INVALID&lt;script&gt;</code>"), page);
        assertFalse(page.contains("<b>acme") || page.contains("INVALID<script>"), page);
    }

    @Test
    void aPersonWithoutTheAuditorRoleSeesTheAuditServicesReason() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/runs", "approver");

        HttpResponse<String> refused = browser.get(fixture.url + "/sources");

        assertEquals(403, refused.statusCode());
        assertTrue(refused.body().contains("PERMISSION_DENIED (ROLE_REQUIRED)</strong>: the audit log needs the auditor or admin role"),
                refused.body());
    }
}
