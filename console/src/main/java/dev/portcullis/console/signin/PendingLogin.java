package dev.portcullis.console.signin;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A sign-in between the redirect to the identity provider and its callback: the {@code state}
 * and {@code nonce} sent, the PKCE code verifier kept back, the console path to return to,
 * whether a fresh login was demanded, and when it started. It travels sealed in the browser's
 * sign-in cookie ({@link SignInCookie}). {@code toString} reveals none of the secrets.
 */
public record PendingLogin(String state, String nonce, String codeVerifier, String returnTo, boolean freshLogin, Instant startedAt) {

    public PendingLogin {
        requireNonNull(state, "state is null");
        requireNonNull(nonce, "nonce is null");
        requireNonNull(codeVerifier, "codeVerifier is null");
        requireNonNull(returnTo, "returnTo is null");
        requireNonNull(startedAt, "startedAt is null");
        if (returnTo.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("returnTo must be one line");
        }
    }

    @Override
    public String toString() {
        return "PendingLogin[returnTo=" + returnTo + "]";
    }
}
