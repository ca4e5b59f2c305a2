package dev.portcullis.console.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.Code;
import dev.portcullis.console.testing.Browser;
import dev.portcullis.console.testing.ConsoleFixture;
import dev.portcullis.console.testing.FormFields;
import dev.portcullis.console.testing.Runs;
import dev.portcullis.v1.ApproveRunRequest;
import com.google.protobuf.util.JsonFormat;
import dev.portcullis.v1.ListRunsResponse;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunPagesTest {
    /** Strings that would run script or break out of an element or attribute if shown unescaped. */
    static final List<String> XSS = List.of("<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'onmouseover='alert(1)",
            "</pre><svg onload=alert(1)>");

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

    private Run waitingApply() {
        Run plan = Runs.plan();
        Run apply = Runs.applyOf(plan);
        fixture.gateway.put(plan);
        fixture.gateway.put(apply);
        return apply;
    }

    private Browser approver(Run run) {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/runs/" + run.getRunId(), "approver");
        return browser;
    }

    @Test
    void theRunPageShowsThePlanSummaryAndTheDigestBeingApproved() {
        Run apply = waitingApply();
        Browser browser = approver(apply);

        String page = browser.get(fixture.url + "/runs/" + apply.getRunId()).body();

        assertTrue(page.contains("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete."), page);
        assertTrue(page.contains("<code>terraform_data.a</code>") && page.contains("<code>terraform_data.b</code>"), page);
        assertTrue(page.contains("<code id=\"approve-digest\" class=\"digest\">" + Runs.DIGEST + "</code>"), page);
        assertTrue(page.contains("<code>APPROVAL_REQUIRED</code> prod needs one approval"), page);
    }

    @Test
    void theApprovalSectionSaysTheRequesterAndACiJobCannotApprove() {
        Run apply = waitingApply();
        Browser browser = approver(apply);

        String page = browser.get(fixture.url + "/runs/" + apply.getRunId()).body();

        assertTrue(page.contains("<p id=\"approve-who\">Requested by <code>spiffe://test.example/ci/dev/example</code>, who cannot"
                + " approve it"), page);
        assertTrue(page.contains("<code>SELF_APPROVAL</code>") && page.contains("<code>USER_TOKEN_REQUIRED</code>"), page);
    }

    @Test
    void approvingNamesTheDigestThePageShowed() {
        Run apply = waitingApply();
        Browser browser = approver(apply);
        Map<String, String> form = FormFields.of(browser.get(fixture.url + "/runs/" + apply.getRunId()).body());
        form.put("comment", "looks right");

        HttpResponse<String> approved = browser.post(fixture.url + "/runs/" + apply.getRunId() + "/approve", fixture.url, form);

        assertEquals(303, approved.statusCode());
        ApproveRunRequest sent = fixture.gateway.approvals().stream().filter(a -> a.getRunId().equals(apply.getRunId())).findFirst()
                .orElseThrow();
        assertEquals(Runs.DIGEST, sent.getPlanDigest());
        assertEquals("looks right", sent.getComment());
    }

    @Test
    void anApprovalWithoutTheCsrfTokenIsRefusedAndNothingIsApproved() {
        Run apply = waitingApply();
        Browser browser = approver(apply);

        HttpResponse<String> refused = browser.post(fixture.url + "/runs/" + apply.getRunId() + "/approve", fixture.url,
                Map.of("plan_digest", Runs.DIGEST));

        assertEquals(403, refused.statusCode());
        assertTrue(fixture.gateway.approvals().stream().noneMatch(a -> a.getRunId().equals(apply.getRunId())));
    }

    @Test
    void anApprovalFromAnotherOriginIsRefusedEvenWithTheToken() {
        Run apply = waitingApply();
        Browser browser = approver(apply);
        Map<String, String> form = FormFields.of(browser.get(fixture.url + "/runs/" + apply.getRunId()).body());

        HttpResponse<String> refused = browser.post(fixture.url + "/runs/" + apply.getRunId() + "/approve", "https://evil.example", form);

        assertEquals(403, refused.statusCode());
        assertTrue(fixture.gateway.approvals().stream().noneMatch(a -> a.getRunId().equals(apply.getRunId())));
    }

    @Test
    void aLoginTooOldRefusalSendsTheUserToSignInAgainWithAFreshLogin() {
        try (ConsoleFixture refusing = ConsoleFixture.start(dir.resolve("too-old"))) {
            refusing.gateway.refuseApprovals(Code.PERMISSION_DENIED, "LOGIN_TOO_OLD", "approving needs a login younger than 15m");
            Run plan = Runs.plan();
            Run apply = Runs.applyOf(plan);
            refusing.gateway.put(plan);
            refusing.gateway.put(apply);
            Browser browser = refusing.browser();
            refusing.signIn(browser, "/runs/" + apply.getRunId(), "approver");
            Map<String, String> form = FormFields.of(browser.get(refusing.url + "/runs/" + apply.getRunId()).body());

            HttpResponse<String> refused = browser.post(refusing.url + "/runs/" + apply.getRunId() + "/approve", refusing.url, form);
            HttpResponse<String> again = browser.get(refusing.url + "/signin?return=%2Fruns%2F" + apply.getRunId() + "&fresh=1");

            assertEquals(403, refused.statusCode());
            assertTrue(refused.body().contains("PERMISSION_DENIED (LOGIN_TOO_OLD)"), refused.body());
            assertTrue(refused.body().contains("href=\"/signin?return=%2Fruns%2F" + apply.getRunId() + "&amp;fresh=1\""), refused.body());
            String location = again.headers().firstValue("Location").orElseThrow();
            assertTrue(location.contains("prompt=login") && location.contains("max_age=0"), location);
        }
    }

    @Test
    void runFieldsAreShownEscaped() {
        for (String hostile : XSS) {
            Run plan = Runs.plan().toBuilder().setStateReason(hostile).setRequester(hostile)
                    .setSpec(Runs.plan().getSpec().toBuilder().setFolder(hostile).setRef(hostile)).build();
            fixture.gateway.put(plan);
            Browser browser = approver(plan);

            String page = browser.get(fixture.url + "/runs/" + plan.getRunId()).body();
            String list = browser.get(fixture.url + "/runs").body();

            for (String shown : List.of(page, list)) {
                assertFalse(shown.contains(hostile), "unescaped: " + hostile);
                assertFalse(shown.contains("<script>alert") || shown.contains("<img src=x") || shown.contains("<svg"), hostile);
            }
        }
    }

    @Test
    void theLogStreamsAsServerSentEventsAndResumesAfterTheLastEventId() throws Exception {
        Run plan = Runs.plan();
        fixture.gateway.put(plan);
        Browser browser = approver(plan);
        String cookie = browser.setCookies().stream().filter(c -> c.startsWith("__Host-portcullis-session=")).findFirst().orElseThrow()
                .split(";", 2)[0];
        HttpClient http = HttpClient.newBuilder().sslContext(dev.portcullis.runtime.pki.PemFiles.trustingOnly(fixture.pki.caFile())).build();
        HttpRequest.Builder events = HttpRequest.newBuilder(URI.create(fixture.url + "/runs/" + plan.getRunId() + "/events"))
                .header("Cookie", cookie).timeout(Duration.ofSeconds(30));

        String all = http.send(events.build(), HttpResponse.BodyHandlers.ofString()).body();
        String resumed = http.send(events.header("Last-Event-ID", "0").build(), HttpResponse.BodyHandlers.ofString()).body();

        assertEquals("id: 0\nevent: log\ndata: first <line>\n\nid: 1\nevent: log\ndata: second line\n\n"
                + "id: 2\nevent: state\ndata: SUCCEEDED\n\nevent: end\ndata: SUCCEEDED\n\n", all);
        assertTrue(resumed.startsWith("id: 1\nevent: log\ndata: second line\n\n"), resumed);
    }

    @Test
    void rejectingSendsTheReason() {
        Run apply = waitingApply();
        Browser browser = approver(apply);
        Map<String, String> form = FormFields.of(browser.get(fixture.url + "/runs/" + apply.getRunId()).body());
        form.remove("plan_digest");
        form.put("reason", "wrong window");

        HttpResponse<String> rejected = browser.post(fixture.url + "/runs/" + apply.getRunId() + "/reject", fixture.url, form);

        assertEquals(303, rejected.statusCode());
        String page = browser.get(fixture.url + "/runs/" + apply.getRunId()).body();
        assertTrue(page.contains(">" + "REJECTED" + "</span>") && page.contains("wrong window"), page);
    }

    @Test
    void theFirstPageOfRunsIsMarkedLiveWithItsFiltersAndLaterPagesAreNot() {
        Run apply = waitingApply();
        Browser browser = approver(apply);

        String first = browser.get(fixture.url + "/runs?repo=example&state=AWAITING_APPROVAL").body();
        String later = browser.get(fixture.url + "/runs?repo=example&page=abc").body();

        assertTrue(first.contains("<tbody id=\"runs\" data-live=\"repo=example&amp;state=AWAITING_APPROVAL\">"), first);
        assertTrue(first.contains("id=\"runs-status\" aria-live=\"polite\""), first);
        assertTrue(later.contains("<tbody id=\"runs\">") && !later.contains("data-live"), later);
    }

    @Test
    void theLiveListIsTheFirstPageAsJsonCutToTheColumnsShown() throws Exception {
        Run apply = waitingApply().toBuilder().setRequester("<script>alert(1)</script>").build();
        fixture.gateway.put(apply);
        Browser browser = approver(apply);

        HttpResponse<String> answer = browser.get(fixture.url + "/runs/list.json?state=AWAITING_APPROVAL&page=ignored");

        assertEquals(200, answer.statusCode());
        assertEquals("application/json; charset=utf-8", answer.headers().firstValue("Content-Type").orElseThrow());
        ListRunsResponse.Builder parsed = ListRunsResponse.newBuilder();
        JsonFormat.parser().merge(answer.body(), parsed);
        Run shown = parsed.getRunsList().stream().filter(run -> run.getRunId().equals(apply.getRunId())).findFirst().orElseThrow();
        assertEquals("<script>alert(1)</script>", shown.getRequester()); // JSON; the script sets it as text
        assertEquals(RunState.RUN_STATE_AWAITING_APPROVAL, shown.getState());
        assertEquals("prod/app", shown.getSpec().getFolder());
        assertFalse(shown.hasPlanSummary() || shown.hasDecision(), answer.body());
        assertTrue(parsed.getRunsList().stream().allMatch(run -> run.getState() == RunState.RUN_STATE_AWAITING_APPROVAL));
    }

    @Test
    void theLiveListAnswersASignedOutBrowserWithoutARedirect() {
        Browser browser = fixture.browser();

        HttpResponse<String> answer = browser.get(fixture.url + "/runs/list.json");

        assertEquals(401, answer.statusCode());
        assertEquals("{\"problem\":\"UNAUTHENTICATED: sign in again\"}", answer.body());
    }
}
