package dev.portcullis.audit.server;

import dev.portcullis.runtime.config.PositiveDuration;
import dev.portcullis.audit.witness.CosignerKey;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Where signed checkpoints are published beyond the database's administrators' reach, and how
 * hard publishing tries. Every key is documented in docs/configuration.md. A witness URL may
 * carry a token in its path, so neither {@link #toString()} nor a validation message quotes one.
 *
 * @param webhookUrls base URLs of C2SP tlog-witness witnesses, each {@code https://…}; empty (the
 *     default) publishes nowhere
 * @param webhookVerifierKeys the witnesses' Ed25519 cosigning keys in the C2SP verifier-key form
 *     {@code NAME+KEYHASH+BASE64} (type 0x04), one for each of {@code webhookUrls} in the same
 *     order, {@code none} for a witness whose cosignatures are not checked; empty (the default)
 *     checks none
 * @param caFile PEM bundle trusted for the witnesses' certificates instead of the JDK's CAs; empty
 *     for the JDK's
 * @param timeout how long one publication may take, connecting included
 * @param pollInterval how often the publisher looks for checkpoints to publish
 * @param initialBackoff wait after a failed attempt; doubled for each further failure in a row
 * @param maxBackoff the longest wait between attempts
 * @param alertAfterFailures failed attempts in a row to one witness that raise {@code witness_failing}
 */
@ConfigurationProperties("portcullis.audit.witnesses")
public record WitnessesConfig(
        @Nullable List<String> webhookUrls,
        @Nullable List<String> webhookVerifierKeys,
        @Nullable Path caFile,
        @Bindable(defaultValue = "10s") @PositiveDuration(max = "5m") Duration timeout,
        @Bindable(defaultValue = "5s") @PositiveDuration(max = "1h") Duration pollInterval,
        @Bindable(defaultValue = "1s") @PositiveDuration Duration initialBackoff,
        @Bindable(defaultValue = "5m") Duration maxBackoff,
        @Bindable(defaultValue = "5") @Min(1) @Max(1000) int alertAfterFailures) {

    private static final String PREFIX = "portcullis.audit.witnesses.";

    public WitnessesConfig {
        webhookUrls = webhookUrls == null ? List.of() : List.copyOf(webhookUrls);
        for (int i = 0; i < webhookUrls.size(); i++) {
            parse(i, webhookUrls.get(i));
        }
        webhookVerifierKeys = webhookVerifierKeys == null ? List.of() : List.copyOf(webhookVerifierKeys);
        if (!webhookVerifierKeys.isEmpty() && webhookVerifierKeys.size() != webhookUrls.size()) {
            throw new IllegalArgumentException(PREFIX + "webhook-verifier-keys must have one entry (a verifier key or none)"
                    + " for each of " + PREFIX + "webhook-urls, in the same order");
        }
        for (int i = 0; i < webhookVerifierKeys.size(); i++) {
            cosigners(i, webhookVerifierKeys.get(i));
        }
        if (maxBackoff == null || initialBackoff != null && maxBackoff.compareTo(initialBackoff) < 0
                || maxBackoff.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException(PREFIX + "max-backoff must be at least " + PREFIX + "initial-backoff and at most 24h");
        }
    }

    /**
     * A configured witness: its stable name (host, port and a digest of the URL; never the path),
     * URL, and the keys its cosignatures must verify with (empty: not checked).
     */
    public record Webhook(String name, URI url, List<CosignerKey> cosigners) {
        public Webhook {
            cosigners = List.copyOf(cosigners);
        }

        @Override
        public String toString() {
            return "Webhook[" + name + "]";
        }
    }

    /** The witnesses, parsed and named. */
    public List<Webhook> webhooks() {
        List<Webhook> webhooks = new ArrayList<>();
        for (int i = 0; i < webhookUrls.size(); i++) {
            URI url = parse(i, webhookUrls.get(i));
            String port = url.getPort() == -1 ? "" : ":" + url.getPort();
            // the digest keeps the name stable when the list is reordered and apart for two paths on one host
            List<CosignerKey> cosigners = webhookVerifierKeys.isEmpty() ? List.of() : cosigners(i, webhookVerifierKeys.get(i));
            webhooks.add(new Webhook(url.getHost() + port + "/" + digest(url.toString()), url, cosigners));
        }
        return List.copyOf(webhooks);
    }

    @Override
    public String toString() {
        return "WitnessesConfig[webhooks=" + webhooks() + ", webhookVerifierKeys=" + webhookVerifierKeys + ", caFile=" + caFile + ", timeout=" + timeout + ", pollInterval="
                + pollInterval + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff
                + ", alertAfterFailures=" + alertAfterFailures + "]";
    }

    // messages name the property and never quote the value: it may carry a token
    private static URI parse(int index, String url) {
        String property = PREFIX + "webhook-urls[" + index + "]";
        URI uri;
        try {
            uri = new URI(url == null ? "" : url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(property + " is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || !scheme.equals("https")) {
            // a checkpoint is public, but a witness reached over plain HTTP can be impersonated
            throw new IllegalArgumentException(property + " must be an absolute https:// URL with a host");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(property + " must not carry a user name, password, query or fragment");
        }
        return uri;
    }

    private static List<CosignerKey> cosigners(int index, String verifierKey) {
        String key = verifierKey == null ? "" : verifierKey.strip();
        if (key.equals("none")) {
            return List.of();
        }
        try {
            return List.of(CosignerKey.parse(key));
        } catch (IllegalArgumentException e) {
            // a verifier key is public: its parse error may be shown
            throw new IllegalArgumentException(PREFIX + "webhook-verifier-keys[" + index + "]: " + e.getMessage());
        }
    }

    private static String digest(String url) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
