package dev.portcullis.audit.alert.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.alert.Alert;
import dev.portcullis.audit.alert.Alert.Severity;
import dev.portcullis.audit.alert.StoredAlert;
import dev.portcullis.audit.alert.WebhookReceiver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WebhookAlertSinkTest {
    static final StoredAlert ALERT = new StoredAlert(12, new Alert("secret_leak", Severity.CRITICAL,
            "Secret found in task output (masked), run run-7 of repo infra-live, reported by executor",
            List.of(UUID.fromString("7d9f6f38-8a55-4c55-9f1a-2c1a3e1f0b11")),
            Map.of("repo", "infra-live", "run_id", "run-7"), Instant.parse("2024-03-04T10:00:00Z")));

    @Test
    void postsSlackCompatibleJsonWithTheAlertAsText() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.accepting()) {
            WebhookAlertSink sink = new WebhookAlertSink("webhook-1", receiver.url(), Duration.ofSeconds(5));

            sink.deliver(ALERT);

            String body = receiver.awaitAccepted(Duration.ofSeconds(5));
            WebhookReceiver.Request request = receiver.requests().get(0);
            assertEquals("POST", request.method());
            assertEquals("application/json; charset=utf-8", request.contentType());
            assertTrue(body.startsWith("{\"text\":\"Portcullis alert 12 [CRITICAL] secret_leak: Secret found in task output"
                    + " (masked), run run-7 of repo infra-live, reported by executor\","), body);
            assertTrue(body.contains("{\"title\":\"repo\",\"value\":\"infra-live\",\"short\":true}"), body);
            assertTrue(body.contains("\"color\":\"danger\""), body);
            assertTrue(body.endsWith("\"footer\":\"Portcullis alert 12\",\"ts\":1709546400}]}"), body);
        }
    }

    @Test
    void slackMarkupInAnAlertIsEscapedSoItCannotPingOrLink() throws Exception {
        StoredAlert sneaky = new StoredAlert(1, new Alert("breakglass", Severity.HIGH,
                "Break-glass access used by <!channel> & <https://evil.example|click>", List.of(),
                Map.of("actor", "<!here>"), Instant.EPOCH));
        try (WebhookReceiver receiver = WebhookReceiver.accepting()) {
            new WebhookAlertSink("webhook-1", receiver.url(), Duration.ofSeconds(5)).deliver(sneaky);

            String body = receiver.awaitAccepted(Duration.ofSeconds(5));

            assertTrue(body.contains("used by &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"), body);
            assertTrue(body.contains("\"value\":\"&lt;!here&gt;\""), body);
            assertFalse(body.contains("<"), body);
        }
    }

    @Test
    void aNon2xxAnswerIsAFailureNamingOnlySchemeAndHost() {
        try (WebhookReceiver receiver = WebhookReceiver.alwaysFailing()) {
            WebhookAlertSink sink = new WebhookAlertSink("webhook-1", receiver.url(), Duration.ofSeconds(5));

            IOException e = assertThrows(IOException.class, () -> sink.deliver(ALERT));

            assertEquals("http://127.0.0.1:" + receiver.url().getPort() + " answered HTTP 500", e.getMessage());
        }
    }

    @Test
    void anUnreachableReceiverIsAFailureThatDoesNotQuoteTheUrlPath() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + closedPort + WebhookReceiver.TOKEN_PATH);
        WebhookAlertSink sink = new WebhookAlertSink("webhook-1", url, Duration.ofSeconds(5));

        IOException e = assertThrows(IOException.class, () -> sink.deliver(ALERT));

        assertTrue(e.getMessage().startsWith("could not reach http://127.0.0.1:" + closedPort), e.getMessage());
        assertFalse(e.getMessage().contains("secret-token"), e.getMessage());
    }

    @Test
    void aReceiverThatDoesNotAnswerInTimeIsAFailure() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.holding()) {
            WebhookAlertSink sink = new WebhookAlertSink("webhook-1", receiver.url(), Duration.ofMillis(300));

            IOException e = assertThrows(IOException.class, () -> sink.deliver(ALERT));

            assertTrue(receiver.awaitEntered(Duration.ofSeconds(5)));
            assertEquals("http://127.0.0.1:" + receiver.url().getPort() + " did not answer within 300 ms", e.getMessage());
        }
    }

    @Test
    void theSinkPrintsNoToken() {
        WebhookAlertSink sink = new WebhookAlertSink("webhook-1",
                URI.create("https://hooks.slack.com/services/T0/B0/xoxb-secret-token"), Duration.ofSeconds(5));

        assertEquals("WebhookAlertSink[webhook-1, https://hooks.slack.com]", sink.toString());
    }

    @Test
    void aUrlThatIsNotHttpIsRefusedWithoutQuotingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WebhookAlertSink("webhook-1", URI.create("file:///etc/secret-token"), Duration.ofSeconds(5)));

        assertFalse(e.getMessage().contains("secret-token"), e.getMessage());
    }
}
