package dev.portcullis.console.signin;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The console as an OIDC client of one identity provider: the issuer (discovery at
 * {@code issuer + /.well-known/openid-configuration}), the client id registered there, the client
 * secret for providers that require one (a confidential web client), the console's redirect URI,
 * the scopes asked for and how long a network call may take.
 */
public record OidcClient(URI issuer, String clientId, Optional<ClientSecret> clientSecret, URI redirectUri, List<String> scopes,
        Duration timeout) {

    public OidcClient {
        requireNonNull(issuer, "issuer is null");
        requireNonNull(clientId, "clientId is null");
        requireNonNull(clientSecret, "clientSecret is null");
        requireNonNull(redirectUri, "redirectUri is null");
        scopes = List.copyOf(scopes);
        requireNonNull(timeout, "timeout is null");
        if (!scopes.contains("openid")) {
            throw new IllegalArgumentException("the scopes must include openid");
        }
    }

    /** A client secret read from its file; {@code toString} reveals nothing. */
    public record ClientSecret(String value) {
        public ClientSecret {
            requireNonNull(value, "value is null");
        }

        @Override
        public String toString() {
            return "ClientSecret[redacted]";
        }
    }
}
