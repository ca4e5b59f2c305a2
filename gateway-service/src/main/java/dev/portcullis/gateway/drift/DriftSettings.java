package dev.portcullis.gateway.drift;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import java.time.Duration;

/**
 * How the drift scheduler works.
 *
 * @param scheduler the identity drift checks are submitted under: the caller policy decides for
 *     and the requester the runs and audit events name
 * @param maxConcurrentChecks how many checks may be pending at once, on every replica together
 * @param claim how long a replica holds a due target while it submits the check; another replica
 *     takes over a target whose claim ran out (its submission is idempotent)
 */
public record DriftSettings(SpiffeId scheduler, int maxConcurrentChecks, Duration claim) {
    public DriftSettings {
        requireNonNull(scheduler, "scheduler is null");
        requireNonNull(claim, "claim is null");
        if (maxConcurrentChecks < 1) {
            throw new IllegalArgumentException("maxConcurrentChecks must be at least 1");
        }
        if (claim.isNegative() || claim.isZero()) {
            throw new IllegalArgumentException("claim must be positive");
        }
    }
}
