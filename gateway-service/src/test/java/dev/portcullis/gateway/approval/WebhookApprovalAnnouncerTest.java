package dev.portcullis.gateway.approval;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.gateway.run.Runs;
import dev.portcullis.runtime.chat.ChatWebhook;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A run waiting for approval is announced to a Slack-compatible webhook with what the approver needs. */
class WebhookApprovalAnnouncerTest {

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
