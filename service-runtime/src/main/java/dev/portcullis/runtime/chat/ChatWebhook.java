package dev.portcullis.runtime.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.json.CanonicalJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An incoming chat webhook (Slack, Mattermost, Rocket.Chat) that messages are posted to as
 * Slack-compatible JSON: {@code text} plus one attachment with fields, and optionally Slack
 * {@code blocks} (sections of mrkdwn text) that Slack shows above the attachment. A non-2xx answer,
 * a redirect or no answer within the timeout is a failure.
 *
 * <p>The URL usually carries a token (Slack's path does), so it appears nowhere but in the
 * request: errors and {@link #toString()} show only scheme and host. Text is escaped for Slack's
 * markup, so a value that reads {@code <!channel>} cannot ping a channel. Thread-safe.
 */
public final class ChatWebhook {
    private final URI url;
    private final Duration timeout;
    private final String target;
    private final HttpClient client;

    /**
     * @param url absolute http or https URL
     * @param timeout how long one delivery may take, connecting included
     * @throws IllegalArgumentException naming what is wrong, never quoting the URL
     */
    public ChatWebhook(URI url, Duration timeout) {
        this.url = requireNonNull(url, "url is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!url.isAbsolute() || url.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new IllegalArgumentException("must be an absolute http(s) URL with a host");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        this.target = target(url);
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * A message: one line of text, an attachment colour, fields, a footer, a time, and blocks (at
     * most {@link #MAX_BLOCKS}; none leaves the body exactly as it was before blocks existed).
     */
    public record Message(String text, String color, Map<String, String> fields, String footer, Instant time,
            List<Section> blocks) {
        /** The most blocks a message carries (Slack takes 50). */
        public static final int MAX_BLOCKS = 50;

        public Message {
            requireNonNull(text, "text is null");
            requireNonNull(color, "color is null");
            fields = new TreeMap<>(fields);
            requireNonNull(footer, "footer is null");
            requireNonNull(time, "time is null");
            blocks = List.copyOf(blocks);
            if (blocks.size() > MAX_BLOCKS) {
                throw new IllegalArgumentException("a message carries at most " + MAX_BLOCKS + " blocks");
            }
        }

        /** A message without blocks. */
        public Message(String text, String color, Map<String, String> fields, String footer, Instant time) {
            this(text, color, fields, footer, time, List.of());
        }

        /** The JSON posted. */
        public String json() {
            return CanonicalJson.write(json -> {
                json.writeStartObject();
                json.writeStringField("text", escape(text));
                json.writeArrayFieldStart("attachments");
                json.writeStartObject();
                json.writeStringField("color", color);
                json.writeStringField("fallback", escape(text));
                json.writeArrayFieldStart("fields");
                for (Map.Entry<String, String> field : fields.entrySet()) {
                    json.writeStartObject();
                    json.writeStringField("title", escape(field.getKey()));
                    json.writeStringField("value", escape(field.getValue()));
                    json.writeBooleanField("short", field.getValue().length() <= 40);
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeStringField("footer", escape(footer));
                json.writeNumberField("ts", time.getEpochSecond());
                json.writeEndObject();
                json.writeEndArray();
                if (!blocks.isEmpty()) {
                    json.writeArrayFieldStart("blocks");
                    for (Section section : blocks) {
                        json.writeStartObject();
                        json.writeStringField("type", "section");
                        json.writeObjectFieldStart("text");
                        json.writeStringField("type", "mrkdwn");
                        json.writeStringField("text", escape(section.markdown()));
                        json.writeEndObject();
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                }
                json.writeEndObject();
            });
        }
    }

    /**
     * A Slack {@code section} block of mrkdwn text, at most {@link #MAX_TEXT} characters (longer
     * text is cut, ending in an ellipsis). Slack's markup escapes apply as to every text.
     */
    public record Section(String markdown) {
        /** The longest text a section carries (Slack takes 3000 characters; escaping may lengthen it). */
        public static final int MAX_TEXT = 2000;

        public Section {
            requireNonNull(markdown, "markdown is null");
            if (markdown.length() > MAX_TEXT) {
                markdown = markdown.substring(0, MAX_TEXT - 1) + "\u2026";
            }
        }
    }

    /**
     * Posts {@code message}; blocks at most about the timeout.
     *
     * @throws IOException when the receiver cannot be reached, does not answer in time or answers
     *     other than 2xx; the message names only scheme and host
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    public void post(Message message) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(message.json(), UTF_8))
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
    public static String target(URI url) {
        String scheme = url.getScheme() == null ? "?" : url.getScheme().toLowerCase(Locale.ROOT);
        String host = url.getHost() == null ? "?" : url.getHost();
        return scheme + "://" + host + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    // Slack reads <...> as links and mentions; these three escapes are the ones it documents
    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public String toString() {
        return "ChatWebhook[" + target + "]";
    }
}
