package dev.portcullis.audit.alert.delivery;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.alert.Alert;
import dev.portcullis.audit.alert.StoredAlert;
import dev.portcullis.runtime.chat.ChatWebhook;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Posts alerts as Slack-compatible JSON to an incoming webhook: {@code text} (one line) and an
 * {@code attachments} entry with the alert's attributes as fields. Slack, Mattermost and
 * Rocket.Chat accept it. A non-2xx answer, a redirect or no answer within the timeout is a
 * failure.
 *
 * <p>The URL usually carries a token (Slack's path does), so it appears nowhere but in the
 * request: logs, errors and {@link #toString()} show only scheme and host. Text from alerts is
 * escaped for Slack's markup, so an identity that reads {@code <!channel>} cannot ping a channel.
 * Thread-safe.
 */
public final class WebhookAlertSink implements AlertSink {
    private final String name;
    private final ChatWebhook webhook;
    private final String target;

    /**
     * @param name the sink's name in logs and dead letters, 1-128 characters
     * @param url absolute http or https URL
     * @param timeout how long one delivery may take, connecting included
     */
    public WebhookAlertSink(String name, URI url, Duration timeout) {
        this.name = requireNonNull(name, "name is null");
        if (name.isEmpty() || name.length() > 128) {
            throw new IllegalArgumentException("name must be 1-128 characters");
        }
        try {
            this.webhook = new ChatWebhook(requireNonNull(url, "url is null"), requireNonNull(timeout, "timeout is null"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("webhook URL of sink " + name + " " + e.getMessage());
        }
        this.target = ChatWebhook.target(url);
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Posts {@code alert}; blocks at most about the timeout.
     *
     * @throws IOException when the receiver cannot be reached, does not answer in time or answers
     *     other than 2xx; the message names only scheme and host
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    @Override
    public void deliver(StoredAlert alert) throws IOException, InterruptedException {
        webhook.post(message(alert));
    }

    /** The webhook as scheme and host (and port), safe to log: the path may carry a token. */
    static String target(URI url) {
        return ChatWebhook.target(url);
    }

    /** The JSON posted for {@code stored}. */
    static String body(StoredAlert stored) {
        return message(stored).json();
    }

    private static ChatWebhook.Message message(StoredAlert stored) {
        Alert alert = stored.alert();
        String text = "Portcullis alert " + stored.sequence() + " [" + alert.severity() + "] " + alert.rule() + ": "
                + alert.summary();
        Map<String, String> fields = new TreeMap<>(alert.attributes());
        fields.put("rule", alert.rule());
        fields.put("severity", alert.severity().name());
        fields.put("events", Integer.toString(alert.eventIds().size()));
        return new ChatWebhook.Message(text, color(alert.severity()), fields, "Portcullis alert " + stored.sequence(),
                alert.raisedAt());
    }

    private static String color(Alert.Severity severity) {
        return switch (severity) {
            case LOW -> "#439fe0";
            case MEDIUM -> "warning";
            case HIGH, CRITICAL -> "danger";
        };
    }

    @Override
    public String toString() {
        return "WebhookAlertSink[" + name + ", " + target + "]";
    }
}
