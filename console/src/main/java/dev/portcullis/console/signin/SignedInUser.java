package dev.portcullis.console.signin;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A human signed in at the identity provider: the token's {@code sub}, a name to show
 * ({@code name}, else {@code email}, else {@code preferred_username}, else {@code sub}), when they
 * last authenticated ({@code auth_time}, else {@code iat}) and the ID token itself.
 */
public record SignedInUser(String subject, String displayName, Instant authenticatedAt, IdToken idToken) {

    public SignedInUser {
        requireNonNull(subject, "subject is null");
        requireNonNull(displayName, "displayName is null");
        requireNonNull(authenticatedAt, "authenticatedAt is null");
        requireNonNull(idToken, "idToken is null");
    }
}
