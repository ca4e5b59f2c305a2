package dev.portcullis.runtime.health;

import dev.portcullis.runtime.config.DurationRange;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * How often a service checks its readiness. Every key is documented in docs/configuration.md.
 *
 * @param interval time between the end of one round of checks and the start of the next
 * @param checkTimeout how long one check may take; a later answer counts as not ready
 */
@ConfigurationProperties("portcullis.health")
public record HealthConfig(
        @Bindable(defaultValue = "2s") @DurationRange(min = "10ms", max = "5m") Duration interval,
        @Bindable(defaultValue = "1s") @DurationRange(min = "10ms", max = "1m") Duration checkTimeout) {
}
