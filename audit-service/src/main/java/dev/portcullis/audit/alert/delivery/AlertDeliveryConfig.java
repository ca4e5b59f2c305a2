package dev.portcullis.audit.alert.delivery;

import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Where alerts are delivered and how hard delivery tries. Every key is documented in docs/configuration.md.
 *
 * <p>A chat webhook URL usually carries its token in the path (Slack's does), so this record
 * never prints, logs or quotes a URL beyond its scheme and host: not in {@link #toString()}, not in
 * a validation message.
 *
 * @param webhookUrls Slack-compatible incoming-webhook URLs, each {@code https://…}
 *     ({@code http://} only to a loopback address); empty (the default) delivers nowhere, and
 *     alerts are still stored, listed and streamed
 * @param timeout how long one delivery may take, connecting included
 * @param maxAttempts deliveries tried per alert and sink before a dead letter is recorded
 * @param initialBackoff wait before the first retry; doubled for each further retry
 * @param maxBackoff the longest wait between retries
 */
@ConfigurationProperties("portcullis.audit.alerts.delivery")
public record AlertDeliveryConfig(
        @Nullable List<String> webhookUrls,
        @Bindable(defaultValue = "5s") @PositiveDuration(max = "5m") Duration timeout,
        @Bindable(defaultValue = "5") @Min(1) @Max(100) int maxAttempts,
        @Bindable(defaultValue = "1s") @PositiveDuration Duration initialBackoff,
        @Bindable(defaultValue = "60s") Duration maxBackoff) {

    private static final String PREFIX = "portcullis.audit.alerts.delivery.";
    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");

    public AlertDeliveryConfig {
        // an absent key binds as null; inside the record it is an empty list
        webhookUrls = webhookUrls == null ? List.of() : List.copyOf(webhookUrls);
        for (int i = 0; i < webhookUrls.size(); i++) {
            parseWebhook(PREFIX + "webhook-urls[" + i + "]", webhookUrls.get(i));
        }
        if (maxBackoff == null || initialBackoff != null && maxBackoff.compareTo(initialBackoff) < 0 || maxBackoff.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(PREFIX + "max-backoff must be at least " + PREFIX
                    + "initial-backoff and at most 1h");
        }
    }

    /** The webhook URLs, parsed; each is absolute with a host. */
    public List<URI> webhookUris() {
        List<URI> uris = new ArrayList<>(webhookUrls.size());
        for (int i = 0; i < webhookUrls.size(); i++) {
            uris.add(parseWebhook(PREFIX + "webhook-urls[" + i + "]", webhookUrls.get(i)));
        }
        return List.copyOf(uris);
    }

    /** Prints the webhooks as scheme and host only: their paths may carry tokens. */
    @Override
    public String toString() {
        return "AlertDeliveryConfig[webhookUrls=" + webhookUris().stream().map(WebhookAlertSink::target)
                .collect(Collectors.joining(", ", "[", "]")) + ", timeout=" + timeout + ", maxAttempts=" + maxAttempts
                + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff + "]";
    }

    // messages name the property and never quote the value: it may carry a token
    private static URI parseWebhook(String property, String url) {
        URI uri;
        try {
            uri = new URI(url == null ? "" : url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(property + " is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException(property + " must be an absolute https:// URL with a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(property + " must not carry a user name or password");
        }
        if (scheme.equals("http") && !isLoopback(uri.getHost())) {
            // alerts name identities, repos and addresses: they leave the machine only over TLS
            throw new IllegalArgumentException(property + " must use https:// (http:// is allowed to a loopback address only)");
        }
        return uri;
    }

    private static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        // a name such as 127.example.com is not loopback: only the literal 127.0.0.0/8 and ::1 are
        return h.equals("localhost") || IPV4_LOOPBACK.matcher(h).matches() || h.equals("[::1]") || h.equals("::1");
    }
}
