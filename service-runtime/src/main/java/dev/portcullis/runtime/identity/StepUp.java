package dev.portcullis.runtime.identity;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Set;

/**
 * What a person's login must show before it may approve or reject a run: a human issuer's
 * {@code approval-max-login-age}, {@code approval-required-amr} and {@code approval-required-acr}.
 * Immutable.
 *
 * @param maxLoginAge how long after the login ({@code auth_time}) it may still approve
 * @param requiredAmr authentication methods the token's {@code amr} must all hold; empty: none required
 * @param acceptedAcr the token's {@code acr} must be one of these; empty: any or none
 */
public record StepUp(Duration maxLoginAge, Set<String> requiredAmr, Set<String> acceptedAcr) {
    /** The default {@code approval-max-login-age}. */
    public static final Duration DEFAULT_MAX_LOGIN_AGE = Duration.ofMinutes(15);

    public StepUp {
        requireNonNull(maxLoginAge, "maxLoginAge is null");
        if (maxLoginAge.isNegative() || maxLoginAge.isZero()) {
            throw new IllegalArgumentException("maxLoginAge must be positive");
        }
        requiredAmr = Set.copyOf(requireNonNull(requiredAmr, "requiredAmr is null"));
        acceptedAcr = Set.copyOf(requireNonNull(acceptedAcr, "acceptedAcr is null"));
    }
}
