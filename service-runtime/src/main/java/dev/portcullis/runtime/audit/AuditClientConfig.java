package dev.portcullis.runtime.audit;

import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Where a service delivers its audit events. Every key is documented in docs/configuration.md.
 *
 * @param address the audit service as host:port; unset means events are only logged and the
 *     service reports its audit delivery unhealthy
 * @param callTimeout deadline of each Append call
 */
@ConfigurationProperties("portcullis.audit-client")
public record AuditClientConfig(@Nullable String address, @Bindable(defaultValue = "10s") @PositiveDuration Duration callTimeout) {
    public AuditClientConfig {
        if (address != null && !address.matches("[A-Za-z0-9.\\-]{1,253}:[0-9]{1,5}|\\[[0-9A-Fa-f:]{2,39}]:[0-9]{1,5}")) {
            throw new IllegalArgumentException("portcullis.audit-client.address must be host:port, e.g. localhost:7446");
        }
    }
}
