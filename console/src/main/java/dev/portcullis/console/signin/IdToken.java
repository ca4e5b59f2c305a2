package dev.portcullis.console.signin;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A user's verified OIDC ID token, as the console sends it to the gateway and the audit service.
 * It stays on the server: never in a page, a URL, a log line or {@link #toString()}.
 */
public final class IdToken {
    private final String compact;
    private final Instant expiresAt;

    public IdToken(String compact, Instant expiresAt) {
        this.compact = requireNonNull(compact, "compact is null");
        this.expiresAt = requireNonNull(expiresAt, "expiresAt is null");
    }

    /** The compact JWS, for the {@code authorization: Bearer} header of a call; nowhere else. */
    public String bearerValue() {
        return compact;
    }

    /** When the token's {@code exp} passes. */
    public Instant expiresAt() {
        return expiresAt;
    }

    @Override
    public String toString() {
        return "IdToken[redacted]";
    }
}
