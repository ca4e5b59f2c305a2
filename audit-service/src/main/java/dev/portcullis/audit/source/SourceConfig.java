package dev.portcullis.audit.source;

import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;
import io.micronaut.core.annotation.Nullable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One outside source, {@code portcullis.audit.sources.feeds.NAME.*}. The secret is referenced,
 * never written into configuration: a file ({@code secret-file}) or an environment variable
 * ({@code secret-env}), exactly one of them. Every key is documented in docs/configuration.md.
 *
 * @param name the source's name, the NAME in the key and in the delivery URL {@code /sources/NAME}
 * @param kind github, gitlab or generic
 * @param secretFile file holding the shared secret (trailing newline ignored)
 * @param secretEnv name of the environment variable holding it
 * @param maxSilence longest expected gap between deliveries; unset means not watched
 */
@EachProperty("portcullis.audit.sources.feeds")
public record SourceConfig(
        @Parameter String name,
        @Nullable SourceKind kind,
        @Nullable Path secretFile,
        @Nullable String secretEnv,
        @Nullable @PositiveDuration Duration maxSilence) {

    public SourceConfig {
        String prefix = "portcullis.audit.sources.feeds." + name + ".";
        if (SourceName.parse(name).isEmpty()) {
            throw new IllegalArgumentException("portcullis.audit.sources.feeds: source name '" + name
                    + "' must be 1-48 lowercase letters, digits or dashes");
        }
        if (kind == null) {
            throw new IllegalArgumentException(prefix + "kind is required: github, gitlab or generic");
        }
        if ((secretFile == null) == (secretEnv == null || secretEnv.isBlank())) {
            throw new IllegalArgumentException(prefix + "secret-file or secret-env must be set, exactly one of them");
        }
    }
}
