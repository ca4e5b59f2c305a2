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
        /** The callback came without the sign-in cookie: started in another browser, or already used. */
        SIGNIN_MISSING("this browser has no sign-in in progress (it was started in another browser or already used); sign in again"),
        /** The sign-in cookie was not sealed by this console or was altered. */
        SIGNIN_INVALID("this browser's sign-in cannot be read (altered, or begun before the console restarted); sign in again"),
        /** The sign-in cookie is older than its lifetime. */
        SIGNIN_EXPIRED("the sign-in took longer than ten minutes; sign in again"),
        /** The callback's {@code state} is missing or is not the one of this browser's sign-in. */
        STATE_MISMATCH("the answer of the identity provider is not for this browser's sign-in; sign in again"),
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
