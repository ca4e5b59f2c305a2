package dev.portcullis.console.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.portcullis.console.testing.Browser;
import dev.portcullis.console.testing.ConsoleFixture;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditOutcome;
import dev.portcullis.v1.AuditResource;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.QueryOrder;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.QueryResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditPageTest {
    @TempDir
    static Path dir;
    static ConsoleFixture fixture;

    @BeforeAll
    static void start() {
        fixture = ConsoleFixture.start(dir);
        fixture.gateway.putEvent(QueryResponse.newBuilder().setCursor("c1").setEvent(ChainedEvent.newBuilder().setSequence(7)
                .setEvent(AuditEvent.newBuilder().setActor("spiffe://test.example/human/approver").setAction(AuditAction.AUDIT_ACTION_RUN_APPROVED)
                        .setOutcome(AuditOutcome.AUDIT_OUTCOME_SUCCESS).setTime(Timestamp.newBuilder().setSeconds(1_780_000_000))
                        .setResource(AuditResource.newBuilder().setKind("run").setId("r1"))
                        .putAttributes("comment", "<script>alert(1)</script>").putAttributes("\"><img src=x onerror=alert(1)>", "x")))
                .build());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void theSearchPassesTheCliFiltersToTheAuditService() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/audit", "auditor");

        browser.get(fixture.url + "/audit?actor=spiffe%3A%2F%2Ftest.example%2Fhuman%2Fapprover&action=run.approved&repo=example"
                + "&run=r1&trace=" + "a".repeat(32) + "&outcome=success&since=2026-01-01T00:00:00Z&until=2026-12-31T00:00:00Z&oldest=1&limit=20");

        QueryRequest sent = fixture.gateway.queries().get(fixture.gateway.queries().size() - 1);
        assertEquals("spiffe://test.example/human/approver", sent.getActor());
        assertEquals(AuditAction.AUDIT_ACTION_RUN_APPROVED, sent.getActions(0));
        assertEquals("example", sent.getRepo());
        assertEquals("r1", sent.getRunId());
        assertEquals("a".repeat(32), sent.getTraceId());
        assertEquals(AuditOutcome.AUDIT_OUTCOME_SUCCESS, sent.getOutcome());
        assertEquals(QueryOrder.QUERY_ORDER_OLDEST_FIRST, sent.getOrder());
        assertEquals(20, sent.getLimit());
        assertTrue(sent.hasFromTime() && sent.hasToTime());
    }

    @Test
    void eventsAreShownWithTheirAttributesEscaped() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/audit", "auditor");

        String page = browser.get(fixture.url + "/audit").body();

        assertTrue(page.contains("spiffe://test.example/human/approver") && page.contains("run.approved"), page);
        assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), page);
        assertFalse(page.contains("<script>alert") || page.contains("<img src=x"), page);
    }

    @Test
    void aFullPageLinksToTheNextFromTheCursor() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/audit", "auditor");

        String page = browser.get(fixture.url + "/audit?limit=1").body();

        assertTrue(page.contains("href=\"/audit?limit=1&amp;cursor=c1\""), page);
    }

    @Test
    void aMalformedFilterIsExplainedAndNotSent() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/audit", "auditor");
        int before = fixture.gateway.queries().size();

        var answer = browser.get(fixture.url + "/audit?since=yesterday");

        assertEquals(400, answer.statusCode());
        assertTrue(answer.body().contains("since is not an ISO-8601 instant"), answer.body());
        assertEquals(before, fixture.gateway.queries().size());
    }
}
