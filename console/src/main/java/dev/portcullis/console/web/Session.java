package dev.portcullis.console.web;

import static java.util.Objects.requireNonNull;

import dev.portcullis.console.signin.SignedInUser;
import java.time.Instant;

/**
 * A signed-in browser: its session id (the cookie's value), the CSRF token its forms carry and the
 * user. Made fresh at each sign-in, so an id known before sign-in is worth nothing after it.
 * {@code toString} reveals neither the id nor the token.
 */
public record Session(String id, String csrfToken, SignedInUser user, Instant createdAt) {

    public Session {
        requireNonNull(id, "id is null");
        requireNonNull(csrfToken, "csrfToken is null");
        requireNonNull(user, "user is null");
        requireNonNull(createdAt, "createdAt is null");
    }

    @Override
    public String toString() {
        return "Session[user=" + user.subject() + "]";
    }
}
