package dev.portcullis.policy.server;

import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The policy service's catalog. Every key is documented in docs/configuration.md.
 *
 * @param catalogFile the Service Catalog YAML file (kept in a reviewed git repo, deployed here)
 * @param reloadInterval how often the file is checked for a new version
 */
@ConfigurationProperties("portcullis.policy")
public record PolicyConfig(@Nullable Path catalogFile, @Bindable(defaultValue = "2s") @PositiveDuration Duration reloadInterval) {
    public PolicyConfig {
        if (catalogFile == null) {
            throw new IllegalArgumentException("portcullis.policy.catalog-file is required: the Service Catalog YAML file");
        }
    }
}
