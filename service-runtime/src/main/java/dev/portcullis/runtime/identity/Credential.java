package dev.portcullis.runtime.identity;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/** How a {@link Caller} proved its identity. Holds no secret: never the token itself. */
public sealed interface Credential permits Credential.ClientCertificate, Credential.IdentityToken {

    /** How the caller authenticated, for run records and audit events: {@code mtls} or {@code oidc:ISSUER}. */
    String method();

    /** A verified client certificate. */
    record ClientCertificate() implements Credential {
        @Override
        public String method() {
            return "mtls";
        }
    }

    /**
     * A verified OIDC identity token from a CI system, bound to the commit and ref it was issued for.
     *
     * @param issuer the configured name of the issuer that signed it
     * @param commit the token's {@code sha}
     * @param ref the token's ref, in full ({@code refs/heads/main})
     * @param jti the token's unique id
     * @param expiresAt the token's {@code exp}
     * @param claims every verified claim as a string
     */
    record IdentityToken(String issuer, CommitSha commit, GitRef ref, String jti, Instant expiresAt,
            Map<String, String> claims) implements Credential {
        private static final Pattern ISSUER = Pattern.compile("[A-Za-z0-9_-]{1,64}");

        public IdentityToken {
            requireNonNull(issuer, "issuer is null");
            if (!ISSUER.matcher(issuer).matches()) {
                throw new IllegalArgumentException("issuer must be 1-64 letters, digits, '-' or '_'");
            }
            requireNonNull(commit, "commit is null");
            requireNonNull(ref, "ref is null");
            requireNonNull(jti, "jti is null");
            requireNonNull(expiresAt, "expiresAt is null");
            claims = Map.copyOf(requireNonNull(claims, "claims is null"));
        }

        @Override
        public String method() {
            return "oidc:" + issuer;
        }
    }
}
