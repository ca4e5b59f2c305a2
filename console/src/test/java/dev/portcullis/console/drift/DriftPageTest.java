package dev.portcullis.console.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.portcullis.console.testing.Browser;
import dev.portcullis.console.testing.ConsoleFixture;
import dev.portcullis.v1.DriftState;
import dev.portcullis.v1.DriftTargetStatus;
import dev.portcullis.v1.PlanChangeCounts;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriftPageTest {
    private static final String RESULT_RUN = "5f0c1d2e-aaaa-4bbb-8ccc-ddddeeeeffff";

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
    void withoutDriftTargetsThePageSaysTheCatalogDeclaresNone() {
        try (ConsoleFixture empty = ConsoleFixture.start(dir.resolve("empty"))) {
            Browser browser = empty.browser();
            empty.signIn(browser, "/drift", "approver");

            HttpResponse<String> page = browser.get(empty.url + "/drift");

            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("No drift targets"), page.body());
        }
    }

    @Test
    void aTargetShowsItsStateCountsResultRunAndNextDueEscaped() {
        fixture.gateway.putDriftTarget(DriftTargetStatus.newBuilder().setRepo("example").setFolder("prod/<script>alert(1)</script>")
                .setEnvironment("prod").setState(DriftState.DRIFT_STATE_DRIFTED)
                .setStateReason("the plan has changes: \"><img src=x onerror=alert(1)>").setResultRunId(RESULT_RUN)
                .setCommitSha("c".repeat(40)).setPlanCounts(PlanChangeCounts.newBuilder().setCreate(1).setUpdate(2))
                .setResourceDrift(3).setLastCheckedAt(Timestamp.newBuilder().setSeconds(1_780_000_000))
                .setNextDue(Timestamp.newBuilder().setSeconds(1_780_003_600)).setConsecutiveFailures(0).build());
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/drift", "approver");

        String page = browser.get(fixture.url + "/drift").body();

        assertTrue(page.contains(">DRIFTED</span>"), page);
        assertTrue(page.contains("<a href=\"/runs/" + RESULT_RUN + "\">run 5f0c1d2e</a>"), page);
        assertTrue(page.contains("1 to create, 2 to update, 0 to replace, 0 to delete<br>3 changed outside Terraform"), page);
        assertTrue(page.contains("2026-05-28T21:26:40Z"), "next due: " + page);
        assertTrue(page.contains("prod/&lt;script&gt;alert(1)&lt;/script&gt;") && page.contains("&quot;&gt;&lt;img src=x"), page);
        assertFalse(page.contains("<script>alert") || page.contains("<img src=x"), page);
    }
}
