package dev.portcullis.audit.alert;

import dev.portcullis.audit.store.CanonicalJson;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
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
    private final URI url;
    private final Duration timeout;
    private final String target;
    private final HttpClient client;

    /**
     * @param name the sink's name in logs and dead letters, 1-128 characters
     * @param url absolute http or https URL
     * @param timeout how long one delivery may take, connecting included
     */
    public WebhookAlertSink(String name, URI url, Duration timeout) {
        this.name = requireNonNull(name, "name is null");
        this.url = requireNonNull(url, "url is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        if (name.isEmpty() || name.length() > 128) {
            throw new IllegalArgumentException("name must be 1-128 characters");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!url.isAbsolute() || url.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new IllegalArgumentException("webhook URL of sink " + name + " must be an absolute http(s) URL with a host");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        this.target = target(url);
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
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
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body(alert), UTF_8))
                .build();
        HttpResponse<Void> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (HttpTimeoutException e) {
            throw new IOException(target + " did not answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            // the JDK's message may quote the URL, so only the failure's kind is kept
            throw new IOException("could not reach " + target + " (" + e.getClass().getSimpleName() + ")");
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw new IOException(target + " answered HTTP " + status);
        }
    }

    /** The webhook as scheme and host (and port), safe to log: the path may carry a token. */
    static String target(URI url) {
        String scheme = url.getScheme() == null ? "?" : url.getScheme().toLowerCase(Locale.ROOT);
        String host = url.getHost() == null ? "?" : url.getHost();
        return scheme + "://" + host + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    /** The JSON posted for {@code stored}. */
    static String body(StoredAlert stored) {
        Alert alert = stored.alert();
        String text = "Portcullis alert " + stored.sequence() + " [" + alert.severity() + "] " + alert.rule() + ": "
                + alert.summary();
        StringBuilder json = new StringBuilder(512);
        json.append("{\"text\":");
        CanonicalJson.quote(json, slackEscape(text));
        json.append(",\"attachments\":[{\"color\":");
        CanonicalJson.quote(json, color(alert.severity()));
        json.append(",\"fallback\":");
        CanonicalJson.quote(json, slackEscape(text));
        json.append(",\"fields\":[");
        Map<String, String> fields = new TreeMap<>(alert.attributes());
        fields.put("rule", alert.rule());
        fields.put("severity", alert.severity().name());
        fields.put("events", Integer.toString(alert.eventIds().size()));
        boolean first = true;
        for (Map.Entry<String, String> field : fields.entrySet()) {
            json.append(first ? "" : ",").append("{\"title\":");
            CanonicalJson.quote(json, slackEscape(field.getKey()));
            json.append(",\"value\":");
            CanonicalJson.quote(json, slackEscape(field.getValue()));
            json.append(",\"short\":").append(field.getValue().length() <= 40).append('}');
            first = false;
        }
        json.append("],\"footer\":\"Portcullis alert ").append(stored.sequence())
                .append("\",\"ts\":").append(alert.raisedAt().getEpochSecond()).append("}]}");
        return json.toString();
    }

    // Slack reads <...> as links and mentions; these three escapes are the ones it documents
    private static String slackEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
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
