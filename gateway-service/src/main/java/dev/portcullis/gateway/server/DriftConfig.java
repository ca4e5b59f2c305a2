package dev.portcullis.gateway.server;

import dev.portcullis.runtime.config.PositiveDuration;
import dev.portcullis.runtime.identity.SpiffeId;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * How the gateway runs the catalog's drift checks (issue 20). Every key is documented in
 * docs/configuration.md.
 *
 * @param enabled whether this replica runs drift checks at all; when true it checks what the
 *     catalog in force declares (nothing, for a catalog without {@code drift:} checks)
 * @param schedulerIdentity the SPIFFE ID drift checks are submitted under; empty means
 *     {@code spiffe://<the gateway's trust domain>/portcullis/drift-scheduler}
 * @param maxConcurrentChecks how many checks may be pending at once, on all replicas together
 * @param interval how often a replica looks for due checks and finished ones
 */
@ConfigurationProperties("portcullis.gateway.drift")
public record DriftConfig(
        @Bindable(defaultValue = "true") boolean enabled,
        @Nullable String schedulerIdentity,
        @Bindable(defaultValue = "4") @Min(1) @Max(64) int maxConcurrentChecks,
        @Bindable(defaultValue = "30s") @PositiveDuration(max = "1h") Duration interval) {

    public DriftConfig {
        schedulerIdentity = schedulerIdentity == null ? "" : schedulerIdentity.strip();
        if (!schedulerIdentity.isEmpty()) {
            try {
                SpiffeId.parse(schedulerIdentity);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("portcullis.gateway.drift.scheduler-identity must be a SPIFFE ID "
                        + "(spiffe://trust-domain/path): " + e.getMessage(), e);
            }
        }
    }

    /** The identity drift checks are submitted under, given the gateway's own. */
    public SpiffeId scheduler(SpiffeId gateway) {
        return schedulerIdentity.isEmpty() ? new SpiffeId("spiffe://" + gateway.trustDomain() + "/portcullis/drift-scheduler")
                : SpiffeId.parse(schedulerIdentity);
    }
}
