package dev.portcullis.runtime.health;

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
        @Bindable(defaultValue = "2s") Duration interval,
        @Bindable(defaultValue = "1s") Duration checkTimeout) {

    public HealthConfig {
        within("portcullis.health.interval", interval, Duration.ofMillis(10), Duration.ofMinutes(5));
        within("portcullis.health.check-timeout", checkTimeout, Duration.ofMillis(10), Duration.ofMinutes(1));
    }

    private static void within(String key, Duration value, Duration least, Duration most) {
        if (value == null || value.compareTo(least) < 0 || value.compareTo(most) > 0) {
            throw new IllegalArgumentException(key + " must be between " + least.toMillis() + "ms and "
                    + most.toSeconds() + "s, was " + value);
        }
    }
}
