package dev.portcullis.console.signin;

import static java.util.Objects.requireNonNull;

/**
 * A sign-in that did not complete, with a stable reason the sign-in page shows and the log
 * records. The message is fixed text, safe to show: it never holds a token, a code or what the
 * provider answered.
 */
public final class SignInRefusedException extends RuntimeException {
    /** Why a sign-in failed. */
    public enum Reason {
        /** The callback's {@code state} is unknown, used, expired, or belongs to another browser. */
        STATE_UNKNOWN("the sign-in expired or was started in another browser; sign in again"),
        /** The provider answered the authorization request with an error (the user cancelled, …). */
        PROVIDER_REFUSED("the identity provider did not sign you in"),
        /** Discovery, the key set or the token endpoint could not be used. */
        PROVIDER_UNAVAILABLE("the identity provider cannot be reached; try again shortly"),
        /** The token endpoint answered without a usable ID token. */
        TOKEN_MISSING("the identity provider returned no ID token"),
        /** The ID token is malformed, of another algorithm, or names an unknown key. */
        TOKEN_MALFORMED("the identity provider's ID token is not usable"),
        /** The ID token's signature does not verify. */
        TOKEN_SIGNATURE("the ID token's signature does not verify"),
        /** The ID token's {@code iss} is not the configured issuer. */
        TOKEN_ISSUER("the ID token comes from another issuer"),
        /** The ID token is not for this console ({@code aud}, {@code azp}). */
        TOKEN_AUDIENCE("the ID token is for another application"),
        /** The ID token expired or is not valid yet. */
        TOKEN_EXPIRED("the ID token has expired"),
        /** The ID token's {@code nonce} is not the one this sign-in sent. */
        NONCE_MISMATCH("the ID token does not belong to this sign-in"),
        /** A fresh login was asked for and the provider's {@code auth_time} is older. */
        LOGIN_TOO_OLD("the identity provider did not ask you to sign in again");

        private final String message;

        Reason(String message) {
            this.message = message;
        }
    }

    private final Reason reason;

    public SignInRefusedException(Reason reason) {
        super(requireNonNull(reason, "reason is null").message);
        this.reason = reason;
    }

    public SignInRefusedException(Reason reason, Throwable cause) {
        super(requireNonNull(reason, "reason is null").message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
