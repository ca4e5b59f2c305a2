package dev.portcullis.console.signin;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A sign-in between the redirect to the identity provider and its callback: the {@code state}
 * and {@code nonce} sent, the PKCE code verifier kept back, the random value of the browser's
 * sign-in cookie it is bound to, the console path to return to, whether a fresh login was
 * demanded, and when it started. {@code toString} reveals none of the secrets.
 */
public record PendingLogin(String state, String nonce, String codeVerifier, String browserBinding, String returnTo,
        boolean freshLogin, Instant startedAt) {

    public PendingLogin {
        requireNonNull(state, "state is null");
        requireNonNull(nonce, "nonce is null");
        requireNonNull(codeVerifier, "codeVerifier is null");
        requireNonNull(browserBinding, "browserBinding is null");
        requireNonNull(returnTo, "returnTo is null");
        requireNonNull(startedAt, "startedAt is null");
    }

    @Override
    public String toString() {
        return "PendingLogin[returnTo=" + returnTo + "]";
    }
}
