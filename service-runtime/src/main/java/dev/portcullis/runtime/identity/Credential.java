package dev.portcullis.runtime.identity;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** How a {@link Caller} proved its identity. Holds no secret: never the token itself. */
public sealed interface Credential permits Credential.ClientCertificate, Credential.IdentityToken, Credential.DelegatedUser {

    /**
     * How the caller authenticated, for run records and audit events: {@code mtls}, {@code oidc:ISSUER}, or
     * {@code oidc:ISSUER via DELEGATE} for a person whose token a delegate (the web console) forwarded.
     */
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

    /**
     * A person's verified OIDC ID token from a human issuer, forwarded by a configured delegate (the web
     * console) that proved its own identity with its client certificate. The person is the caller; the
     * delegate is recorded as the way they came.
     *
     * @param issuer the configured name of the human issuer that signed it
     * @param delegate the identity of the delegate's client certificate
     * @param expiresAt the token's {@code exp}
     * @param claims every verified claim as a string ({@code auth_time} in epoch seconds, {@code acr})
     * @param amr the token's {@code amr} (authentication methods), empty when it has none
     * @param stepUp what the login must show to approve or reject a run
     */
    record DelegatedUser(String issuer, SpiffeId delegate, Instant expiresAt, Map<String, String> claims,
            List<String> amr, StepUp stepUp) implements Credential {
        private static final Pattern ISSUER = Pattern.compile("[A-Za-z0-9_-]{1,64}");

        public DelegatedUser {
            requireNonNull(issuer, "issuer is null");
            if (!ISSUER.matcher(issuer).matches()) {
                throw new IllegalArgumentException("issuer must be 1-64 letters, digits, '-' or '_'");
            }
            requireNonNull(delegate, "delegate is null");
            requireNonNull(expiresAt, "expiresAt is null");
            claims = Map.copyOf(requireNonNull(claims, "claims is null"));
            amr = List.copyOf(requireNonNull(amr, "amr is null"));
            requireNonNull(stepUp, "stepUp is null");
        }

        /** When the person logged in (the token's {@code auth_time}); empty when the token does not say. */
        public Optional<Instant> authTime() {
            String value = claims.get("auth_time");
            if (value == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(Instant.ofEpochSecond(Long.parseLong(value)));
            } catch (NumberFormatException | java.time.DateTimeException unusable) {
                return Optional.empty();
            }
        }

        /** The token's {@code acr}; empty when it has none. */
        public Optional<String> acr() {
            return Optional.ofNullable(claims.get("acr"));
        }

        @Override
        public String method() {
            return "oidc:" + issuer + " via " + delegate.value();
        }
    }
}
