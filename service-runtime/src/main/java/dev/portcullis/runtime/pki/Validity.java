package dev.portcullis.runtime.pki;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** When a certificate is valid: from {@code notBefore} to {@code notAfter}, inclusive. */
public record Validity(Instant notBefore, Instant notAfter) {

    public Validity {
        requireNonNull(notBefore, "notBefore is null");
        requireNonNull(notAfter, "notAfter is null");
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("notAfter must be after notBefore");
        }
    }

    /**
     * Valid from a minute ago (tolerating small clock skew between hosts) for {@code length}.
     */
    public static Validity startingNow(Clock clock, Duration length) {
        Instant now = clock.instant();
        return new Validity(now.minus(Duration.ofMinutes(1)), now.plus(length));
    }
}
