package dev.portcullis.gateway.approval;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.portcullis.gateway.run.PlanSummary;
import dev.portcullis.gateway.run.PlanTool;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunSpec;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.gateway.run.Runs;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.chat.ChatWebhook;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A run waiting for approval is announced to a Slack-compatible webhook with what the approver needs. */
class WebhookApprovalAnnouncerTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    /** An apply of a plan run, waiting for approval. */
    private static Run apply() {
        RunSpec plan = Runs.spec("prod/app", "prod", "plan");
        RunSpec apply = new RunSpec(plan.repo(), plan.commit(), plan.ref(), plan.folder(), plan.environment(),
                new CatalogName("apply"), Optional.of(RunId.random()));
        return Runs.queued(apply, NOW).toBuilder().state(RunState.AWAITING_APPROVAL).approvalDeadline(NOW.plusSeconds(3600))
                .build();
    }

    /** What one announcement of {@code run} posts, through a real webhook to an in-test HTTP server. */
    private static String posted(Run run, Optional<PlanSummary> summary) throws Exception {
        return posted(run, summary, r -> Optional.empty());
    }

    /** As {@link #posted(Run, Optional)}, linking the page {@code approvalPage} gives. */
    private static String posted(Run run, Optional<PlanSummary> summary, Function<Run, Optional<URI>> approvalPage)
            throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hooks/T0/B0/secret-token", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/T0/B0/secret-token");
        try (WebhookApprovalAnnouncer announcer = new WebhookApprovalAnnouncer(
                List.of(new ChatWebhook(url, Duration.ofSeconds(5))), r -> "digest " + "d".repeat(64), r -> summary,
                approvalPage, Clock.systemUTC())) {
            announcer.announce(run);
            String body = received.poll(30, TimeUnit.SECONDS);
            assertNotNull(body, "nothing was posted");
            return body;
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anApplysAnnouncementCarriesThePlanCountsAndResourcesAsSlackBlocks() throws Exception {
        String body = posted(apply(), Optional.of(Runs.SUMMARY));

        assertTrue(body.contains("\"blocks\":[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\""), body);
        assertTrue(body.contains("*Plan:* 1 to create, 0 to update, 0 to replace, 1 to delete"), body);
        assertTrue(body.contains("`aws_db_instance.main` (aws_db_instance): delete"), body);
    }

    @Test
    void anApplysAnnouncementListsTheFirstTenResourcesAndCountsTheRest() throws Exception {
        List<PlanSummary.ResourceChange> changes = IntStream.range(0, 100).mapToObj(i -> new PlanSummary.ResourceChange(
                "terraform_data.r" + i, "terraform_data", List.of("create"), "", false, "")).toList();
        PlanSummary big = new PlanSummary(PlanTool.TERRAFORM, "1.2", new PlanSummary.Counts(150, 0, 0, 0, 0, 0, 0, 0, 0),
                changes, 50, List.of(), 0, List.of(), 0, true, "Plan: 150 to create, 0 to update, 0 to replace, 0 to delete.\n");

        String body = posted(apply(), Optional.of(big));

        assertTrue(body.contains("`terraform_data.r9` (terraform_data): create"), body);
        assertFalse(body.contains("`terraform_data.r10`"), body);
        assertTrue(body.contains("\u2026 and 140 more"), body);
    }

    @Test
    void withAConsoleTheAnnouncementLinksTheRunsPageOnTheConsole() throws Exception {
        Run run = apply();
        ConsoleUrl console = new ConsoleUrl(URI.create("https://portcullis.example.com"));

        String body = posted(run, Optional.of(Runs.SUMMARY), r -> Optional.of(console.runPage(r.id())));

        assertTrue(body.contains("\"approval page\"") && body.contains("https://portcullis.example.com/runs/" + run.id().value()),
                body);
        assertTrue(body.contains("waits for approval (portcullis approve " + run.id() + "): https://portcullis.example.com/runs/"
                + run.id().value()), body);
    }

    @Test
    void withoutAConsoleTheAnnouncementLinksNoPage() throws Exception {
        String body = posted(apply(), Optional.of(Runs.SUMMARY));

        assertFalse(body.contains("https://"), body);
        assertFalse(body.contains("approval page"), body);
    }

    @Test
    void anApplyWhosePlanHasNoSummaryIsAnnouncedSayingSo() throws Exception {
        String body = posted(apply(), Optional.empty());

        assertTrue(body.contains("*Plan:* no summary: the plan command declares no `summary:`"), body);
    }

    @Test
    void aPlanWithoutChangesIsAnnouncedAsNoChanges() throws Exception {
        PlanSummary none = new PlanSummary(PlanTool.TERRAFORM, "1.2", new PlanSummary.Counts(0, 0, 0, 0, 0, 0, 2, 0, 0),
                List.of(), 0, List.of(), 0, List.of(), 0, false, "No changes. Your infrastructure matches the configuration.\n");

        String body = posted(apply(), Optional.of(none));

        assertTrue(body.contains("*Plan:* no changes"), body);
    }

    @Test
    void aPendingApprovalIsPostedWithRepoCommitFolderEnvironmentRequesterAndPlan() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hooks/T0/B0/secret-token", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/T0/B0/secret-token");
        Instant now = Instant.parse("2026-11-23T10:00:00Z");
        Run run = Runs.queued(Runs.spec("prod/app", "prod", "apply"), now).toBuilder().state(RunState.AWAITING_APPROVAL)
                .approvalDeadline(now.plusSeconds(3600)).build();
        try (WebhookApprovalAnnouncer announcer = new WebhookApprovalAnnouncer(
                List.of(new ChatWebhook(url, Duration.ofSeconds(5))), r -> "digest " + "d".repeat(64), Clock.systemUTC())) {
            announcer.announce(run);

            String body = received.poll(30, TimeUnit.SECONDS);

            assertNotNull(body, "nothing was posted");
            for (String expected : List.of(run.id().value(), "infra", "0123456789abcdef0123456789abcdef01234567", "prod/app",
                    "\"prod\"", Runs.CI.value(), "digest " + "d".repeat(64), "portcullis approve " + run.id())) {
                assertTrue(body.contains(expected), expected + " missing from " + body);
            }
        } finally {
            server.stop(0);
        }
    }
}
