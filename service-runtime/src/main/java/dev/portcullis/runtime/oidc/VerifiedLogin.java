package dev.portcullis.runtime.oidc;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.StepUp;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A person's ID token from a human issuer whose signature, issuer, audience, times and claims all
 * checked out. Holds no part of the token itself.
 *
 * @param issuerName the configured name of the human issuer that signed it
 * @param identity the person's identity, {@code spiffe://TD/human/...} from the issuer's identity template
 * @param claims every claim as a string, as {@link VerifiedToken#claims()} ({@code auth_time} in epoch seconds)
 * @param expiresAt the token's {@code exp}
 * @param amr the token's {@code amr} (authentication methods); empty when it has none
 * @param stepUp what the issuer requires of a login that approves or rejects a run
 */
public record VerifiedLogin(
        String issuerName,
        SpiffeId identity,
        Map<String, String> claims,
        Instant expiresAt,
        List<String> amr,
        StepUp stepUp) implements Verified {

    public VerifiedLogin {
        requireNonNull(issuerName, "issuerName is null");
        requireNonNull(identity, "identity is null");
        claims = Map.copyOf(requireNonNull(claims, "claims is null"));
        requireNonNull(expiresAt, "expiresAt is null");
        amr = List.copyOf(requireNonNull(amr, "amr is null"));
        requireNonNull(stepUp, "stepUp is null");
    }
}
