package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * One configured outside source. Printing it never shows the secret.
 *
 * @param maxSilence longest expected gap between deliveries; {@link Duration#ZERO} when the source
 *     is not watched for silence
 */
public record Source(SourceName name, SourceKind kind, SourceSecret secret, Duration maxSilence) {
    public Source {
        requireNonNull(name, "name is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(secret, "secret is null");
        requireNonNull(maxSilence, "maxSilence is null");
        if (maxSilence.isNegative()) {
            throw new IllegalArgumentException("max silence must not be negative");
        }
    }

    /** How long the source may stay silent before that is an alert, when it is watched. */
    public Optional<Duration> watchedFor() {
        return maxSilence.isZero() ? Optional.empty() : Optional.of(maxSilence);
    }
}
