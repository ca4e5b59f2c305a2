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
import dev.portcullis.v1.SignCheckpointResponse;
import com.google.protobuf.util.JsonFormat;
import dev.portcullis.console.testing.FormFields;
import dev.portcullis.v1.AuditExportRecord;
import dev.portcullis.v1.Checkpoint;
import dev.portcullis.v1.VerifyResponse;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

    @Test
    void anIntactLogShowsItsNewestCheckpointsTreeSizeAndRootHash() {
        fixture.gateway.verifiesAs(VerifyResponse.newBuilder().setIntact(true).setChecked(1042).setUncovered(3)
                .setLatestSignedCheckpoint(NOTE).setLatestCheckpoint(Checkpoint.newBuilder().setSequence(900).setHash("ab".repeat(32))
                        .setSignedAt(Timestamp.newBuilder().setSeconds(1_780_000_000)).setKeyId("cd".repeat(32)))
                .build());
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/audit/integrity", "auditor");

        String page = browser.get(fixture.url + "/audit/integrity").body();

        assertTrue(page.contains("<strong>INTACT</strong>: every one of 1042 events"), page);
        assertTrue(page.contains("<dt>Tree size</dt><dd>1042</dd>"), page);
        assertTrue(page.contains("<dt>Root hash (hex)</dt><dd>7986fcb099348f55d693d1e4a8bcfc70aedcda7ab43779b5a0ded8c644fa7f42</dd>"), page);
        assertTrue(page.contains("<dt>Signed at</dt><dd>2026-05-28T20:26:40Z</dd>"), page);
        assertTrue(page.contains("<dt>Events no signature covers yet</dt><dd>3</dd>"), page);
    }

    @Test
    void theNewestSignedCheckpointShowsWhenTheAuditServiceSignedIt() {
        fixture.gateway.verifiesAs(VerifyResponse.newBuilder().setIntact(true).setChecked(1042).setLatestSignedCheckpoint(NOTE)
                .setLatestSignedCheckpointTime(Timestamp.newBuilder().setSeconds(1_790_000_000)).build());
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/audit/integrity", "auditor");

        String page = browser.get(fixture.url + "/audit/integrity").body();

        assertTrue(page.contains("<dt>Tree size</dt><dd>1042</dd>"), page);
        assertTrue(page.contains("<dt>Signed at</dt><dd>2026-09-21T14:13:20Z</dd>"), page);
        assertTrue(page.contains("action=\"/audit/export/log\""), page);
    }

    @Test
    void aBrokenLogSaysSoInWordsWithTheFirstBadSequenceAndEscapedProblem() {
        fixture.gateway.verifiesAs(VerifyResponse.newBuilder().setIntact(false).setChecked(12).setFirstBrokenSequence(7)
                .setProblem("event 7's hash differs <script>alert(1)</script>").build());
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/audit/integrity", "auditor");

        String page = browser.get(fixture.url + "/audit/integrity").body();

        assertTrue(page.contains("<strong>BROKEN</strong> at sequence <strong>7</strong>"), page);
        assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.contains("<script>alert"), page);
        assertTrue(page.contains("No signed checkpoint yet."), page);
    }

    @Test
    void aPersonWithoutTheAuditorRoleSeesTheAuditServicesReason() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/runs", "approver");

        HttpResponse<String> search = browser.get(fixture.url + "/audit");
        HttpResponse<String> integrity = browser.get(fixture.url + "/audit/integrity");

        for (HttpResponse<String> refused : java.util.List.of(search, integrity)) {
            assertEquals(403, refused.statusCode());
            assertTrue(refused.body().contains("PERMISSION_DENIED (ROLE_REQUIRED)</strong>: the audit log needs the auditor or admin role"),
                    refused.body());
            assertFalse(refused.body().contains("Exception") || refused.body().contains("at dev.portcullis"), refused.body());
        }
    }

    @Test
    void theExportIsTheSearchsEventsAsAuditExportJsonLines() throws Exception {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/audit", "auditor");
        Map<String, String> form = FormFields.of(browser.get(fixture.url + "/audit?repo=example&oldest=1").body());

        HttpResponse<String> download = browser.post(fixture.url + "/audit/export", fixture.url, form);

        assertEquals(200, download.statusCode());
        assertEquals("attachment; filename=\"portcullis-audit.jsonl\"", download.headers().firstValue("Content-Disposition").orElseThrow());
        String[] lines = download.body().split("\n");
        assertEquals(1, lines.length, download.body());
        AuditExportRecord.Builder record = AuditExportRecord.newBuilder();
        JsonFormat.parser().merge(lines[0], record);
        assertEquals(7, record.getEvent().getSequence());
        assertEquals("<script>alert(1)</script>", record.getEvent().getEvent().getAttributesOrThrow("comment"));
        QueryRequest sent = fixture.gateway.queries().get(fixture.gateway.queries().size() - 1);
        assertEquals("example", sent.getRepo());
        assertEquals(QueryOrder.QUERY_ORDER_OLDEST_FIRST, sent.getOrder());
        assertEquals(10_000, sent.getLimit());
        assertTrue(sent.getBatched());
    }

    @Test
    void anExportWithoutTheCsrfTokenIsRefusedAndNothingIsQueried() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/audit", "auditor");
        int before = fixture.gateway.queries().size();

        HttpResponse<String> refused = browser.post(fixture.url + "/audit/export", fixture.url, Map.of("repo", "example"));

        assertEquals(403, refused.statusCode());
        assertEquals(before, fixture.gateway.queries().size());
    }

    @Test
    void anExportRefusedByTheAuditServiceIsAPageWithTheReason() {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/runs", "approver");
        Map<String, String> form = FormFields.of(browser.get(fixture.url + "/runs").body());

        HttpResponse<String> refused = browser.post(fixture.url + "/audit/export", fixture.url, form);

        assertEquals(403, refused.statusCode());
        assertTrue(refused.body().contains("PERMISSION_DENIED (ROLE_REQUIRED)"), refused.body());
    }

    @Test
    void anExportTheAuditServiceBreaksOffEndsAsAFailedDownloadNotAWholeLookingFile() {
        try (ConsoleFixture breaking = ConsoleFixture.start(dir.resolve("breaking"))) {
            breaking.gateway.putEvent(QueryResponse.newBuilder().setCursor("c1").setEvent(ChainedEvent.newBuilder().setSequence(1)).build());
            breaking.gateway.breakQueries();
            Browser browser = breaking.browser();
            breaking.signIn(browser, "/audit", "auditor");
            Map<String, String> form = FormFields.of(browser.get(breaking.url + "/audit").body());

            java.io.UncheckedIOException broken = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class,
                    () -> browser.post(breaking.url + "/audit/export", breaking.url, form));

            assertTrue(broken.getCause() instanceof java.io.IOException, broken.toString());
        }
    }

    private static QueryResponse event(long sequence) {
        return QueryResponse.newBuilder().setCursor("c" + sequence).setEvent(ChainedEvent.newBuilder().setSequence(sequence)
                .setEvent(AuditEvent.newBuilder().setActor("spiffe://test.example/service/gateway"))).build();
    }

    @Test
    void theWholeLogsExportContinuesFromTheCursorPastOneQueryAndEndsWithTheCheckpointSignedForIt() throws Exception {
        try (ConsoleFixture log = ConsoleFixture.start(dir.resolve("long-log"))) {
            for (long sequence = 1; sequence <= 10_003; sequence++) {
                log.gateway.putEvent(event(sequence));
            }
            log.gateway.signsCheckpoint(SignCheckpointResponse.newBuilder().setTreeSize(10_002).setSignedCheckpoint(NOTE).build());
            Browser browser = log.browser();
            log.signIn(browser, "/audit/integrity", "auditor");
            Map<String, String> form = FormFields.of(browser.get(log.url + "/audit/integrity").body());

            HttpResponse<String> download = browser.post(log.url + "/audit/export/log", log.url, form);

            assertEquals(200, download.statusCode());
            assertEquals("attachment; filename=\"portcullis-audit-log.jsonl\"",
                    download.headers().firstValue("Content-Disposition").orElseThrow());
            String[] lines = download.body().split("\n");
            assertEquals(10_003, lines.length, "10,002 events and the checkpoint; the event stored after it is left out");
            AuditExportRecord.Builder last = AuditExportRecord.newBuilder();
            JsonFormat.parser().merge(lines[10_001], last);
            assertEquals(10_002, last.getEvent().getSequence());
            AuditExportRecord.Builder checkpoint = AuditExportRecord.newBuilder();
            JsonFormat.parser().merge(lines[10_002], checkpoint);
            assertEquals(NOTE, checkpoint.getSignedCheckpoint());
            List<QueryRequest> sent = log.gateway.queries();
            assertEquals(List.of("", "c10000"), sent.subList(sent.size() - 2, sent.size()).stream().map(QueryRequest::getCursor).toList());
            assertEquals(QueryOrder.QUERY_ORDER_OLDEST_FIRST, sent.get(sent.size() - 1).getOrder());
        }
    }

    @Test
    void aWholeLogExportMissingEventsTheCheckpointCoversEndsAsAFailedDownloadWithoutTheCheckpoint() {
        try (ConsoleFixture log = ConsoleFixture.start(dir.resolve("short-log"))) {
            log.gateway.putEvent(event(1));
            log.gateway.putEvent(event(2));
            log.gateway.signsCheckpoint(SignCheckpointResponse.newBuilder().setTreeSize(3).setSignedCheckpoint(NOTE).build());
            Browser browser = log.browser();
            log.signIn(browser, "/audit/integrity", "auditor");
            Map<String, String> form = FormFields.of(browser.get(log.url + "/audit/integrity").body());

            java.io.UncheckedIOException broken = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class,
                    () -> browser.post(log.url + "/audit/export/log", log.url, form));

            assertTrue(broken.getCause() instanceof java.io.IOException, broken.toString());
        }
    }

    @Test
    void aWholeLogExportOfAnEmptyLogIsAPageWithTheReason() {
        try (ConsoleFixture log = ConsoleFixture.start(dir.resolve("empty-log"))) {
            Browser browser = log.browser();
            log.signIn(browser, "/audit/integrity", "auditor");
            Map<String, String> form = FormFields.of(browser.get(log.url + "/audit/integrity").body());

            HttpResponse<String> refused = browser.post(log.url + "/audit/export/log", log.url, form);

            assertEquals(404, refused.statusCode());
            assertTrue(refused.body().contains("NOT_FOUND (NO_CHECKPOINT)"), refused.body());
        }
    }

    /** A checkpoint of 1042 events as the audit service signs it (docs/audit.md, "Checkpoints"). */
    private static final String NOTE = """
            portcullis.dev/audit/0a1b2c3d4e5f6a7b
            1042
            eYb8sJk0j1XWk9HkqLz8cK7c2nq0N3m1oN7YxkT6f0I=

            \u2014 portcullis.dev/audit/0a1b2c3d4e5f6a7b AAAAAbase64signature==
            """;
}
