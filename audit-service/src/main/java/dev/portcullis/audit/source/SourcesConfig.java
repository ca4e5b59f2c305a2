package dev.portcullis.audit.source;

import dev.portcullis.catalog.RefPattern;
import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.ReadableBytes;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The HTTPS listener through which outside sources (GitHub, GitLab, CI servers, artefact
 * repositories) deliver events, and what the pipeline rules know of the catalog. The sources
 * themselves are {@link SourceConfig}s under {@code portcullis.audit.sources.feeds.NAME}. Every
 * key is documented in docs/configuration.md.
 *
 * @param host address the listener binds
 * @param port its TCP port; unset (the default) means no listener: no outside source can deliver
 * @param maxBodyBytes largest delivery accepted; larger ones are refused with 413
 * @param replayWindow how far a generic delivery's signed {@code sent_at} may lie from now
 * @param threads deliveries handled at once
 * @param catalogFile the Service Catalog YAML (the policy service's file); unset means every
 *     repository counts as deployed by Portcullis
 * @param catalogReloadInterval how often the catalog file is checked for a new version
 * @param catalogRepository URL of the repository that holds the catalog; pushes to it alert
 * @param protectedRefs ref patterns protected in every repository, on top of the catalog's
 * @param silenceCheckInterval how often sources are checked for silence
 * @param requestTimeout how long one request may take to arrive, TLS handshake, headers and body
 *     included; a slower sender is answered 408 and disconnected
 * @param maxConnections connections held open at once; more are closed as they arrive
 */
@ConfigurationProperties("portcullis.audit.sources")
public record SourcesConfig(
        @Bindable(defaultValue = "127.0.0.1") String host,
        @Nullable @Min(0) @Max(65535) Integer port,
        @ReadableBytes @Bindable(defaultValue = "1MB") @Min(1024) @Max(MAX_BODY_BYTES) long maxBodyBytes,
        @Bindable(defaultValue = "5m") @PositiveDuration(max = "1d") Duration replayWindow,
        @Bindable(defaultValue = "4") @Min(1) @Max(64) int threads,
        @Nullable Path catalogFile,
        @Bindable(defaultValue = "10s") @PositiveDuration(max = "1h") Duration catalogReloadInterval,
        @Nullable String catalogRepository,
        @Nullable List<String> protectedRefs,
        @Bindable(defaultValue = "30s") @PositiveDuration(max = "1h") Duration silenceCheckInterval,
        @Bindable(defaultValue = "30s") @PositiveDuration(max = "5m") Duration requestTimeout,
        @Bindable(defaultValue = "256") @Min(1) @Max(10_000) int maxConnections) {

    private static final String PREFIX = "portcullis.audit.sources.";
    /** GitHub caps payloads at 25 MB; nothing legitimate is larger. */
    public static final long MAX_BODY_BYTES = 25L * 1024 * 1024;

    public SourcesConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException(PREFIX + "host must name an address to bind, e.g. 0.0.0.0");
        }
        catalogRepository = catalogRepository == null || catalogRepository.isBlank() ? null : catalogRepository.strip();
        protectedRefs = protectedRefs == null ? List.of() : List.copyOf(protectedRefs);
        for (String ref : protectedRefs) {
            if (!ref.startsWith("refs/") || ref.length() > 256) {
                throw new IllegalArgumentException(PREFIX + "protected-refs entries must be ref patterns starting with refs/");
            }
            try {
                new RefPattern(ref);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(PREFIX + "protected-refs entry '" + ref + "' is not a catalog ref pattern: "
                        + e.getMessage());
            }
        }
    }

    /** True when the HTTPS listener runs. */
    public boolean listenerEnabled() {
        return port != null;
    }
}
