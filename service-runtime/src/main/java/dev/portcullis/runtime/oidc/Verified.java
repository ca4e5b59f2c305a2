package dev.portcullis.runtime.oidc;

import dev.portcullis.runtime.identity.SpiffeId;
import java.time.Instant;
import java.util.Map;

/**
 * A token {@link OidcTokenVerifier} accepted: a CI job's ({@link VerifiedToken}) or a person's
 * ({@link VerifiedLogin}), as the kind of the issuer that signed it says. Holds no part of the token.
 */
public sealed interface Verified permits VerifiedToken, VerifiedLogin {
    /** The configured name of the issuer that signed it. */
    String issuerName();

    /** The caller's SPIFFE-form identity, from the issuer's identity template. */
    SpiffeId identity();

    /** Every claim as a string (see {@link VerifiedToken#claims()}). */
    Map<String, String> claims();

    /** The token's {@code exp}. */
    Instant expiresAt();
}
