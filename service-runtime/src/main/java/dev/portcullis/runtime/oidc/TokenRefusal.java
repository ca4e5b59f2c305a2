package dev.portcullis.runtime.oidc;

import dev.portcullis.runtime.error.DomainException;

/**
 * Why an OIDC identity token was refused: a closed vocabulary, each name the stable
 * {@code ErrorInfo} reason, each message fixed text that quotes nothing from the token.
 */
public enum TokenRefusal {
    /** Not a compact JWS of three base64url parts with JSON header and claims, or a required header is missing. */
    TOKEN_MALFORMED("the identity token is malformed"),
    /** Longer than the size bound, before anything else is looked at. */
    TOKEN_TOO_LARGE("the identity token is too large"),
    /** The header names an algorithm other than RS256 or ES256 ({@code none} and HMAC included), or one the key cannot use. */
    TOKEN_ALGORITHM("the identity token's signing algorithm is not accepted"),
    /** The issuer's key set has no usable key with the token's {@code kid}, even after a refetch. */
    TOKEN_UNKNOWN_KEY("the identity token is signed with a key its issuer does not publish"),
    /** The signature does not verify with the issuer's key. */
    TOKEN_SIGNATURE("the identity token's signature does not verify"),
    /** The {@code iss} claim is missing or names no configured issuer. */
    TOKEN_ISSUER("the identity token's issuer is not accepted"),
    /** The {@code aud} claim is not exactly the one audience configured for the issuer. */
    TOKEN_AUDIENCE("the identity token's audience is not accepted"),
    /** {@code exp} has passed, clock skew allowed for. */
    TOKEN_EXPIRED("the identity token has expired"),
    /** {@code nbf} is still ahead, clock skew allowed for. */
    TOKEN_NOT_YET_VALID("the identity token is not valid yet"),
    /** {@code iat} is ahead of now by more than the clock skew. */
    TOKEN_ISSUED_IN_FUTURE("the identity token was issued in the future"),
    /** {@code exp - iat} is not positive or exceeds the issuer's maximum token lifetime. */
    TOKEN_LIFETIME("the identity token's lifetime is longer than accepted"),
    /**
     * A claim the verifier needs is missing or unusable ({@code exp}, {@code iat}, {@code jti}, {@code sha},
     * {@code ref}, a claim of the identity template), or a required immutable claim has another value.
     */
    TOKEN_CLAIMS("the identity token's claims are missing or not accepted"),
    /** The issuer's keys cannot be fetched and no key set fetched earlier is still usable. */
    TOKEN_ISSUER_UNAVAILABLE("the identity token's issuer cannot be reached to verify it");

    private final String message;

    TokenRefusal(String message) {
        this.message = message;
    }

    /** Fixed text safe to show the caller. */
    public String message() {
        return message;
    }

    /** {@code UNAVAILABLE} when the issuer cannot be reached (worth a retry), {@code DENIED} otherwise. */
    public DomainException.Kind kind() {
        return this == TOKEN_ISSUER_UNAVAILABLE ? DomainException.Kind.UNAVAILABLE : DomainException.Kind.DENIED;
    }
}
