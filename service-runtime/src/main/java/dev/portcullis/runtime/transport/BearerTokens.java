package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.Credential;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.StepUp;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How a server verifies the {@code authorization: Bearer} token of a caller: a CI job's, for a server
 * that also admits callers without a client certificate (the gateway, when OIDC issuers are
 * configured), or a person's, forwarded by a delegate ({@link TokenAdmission}). A server without one
 * requires a client certificate of every caller and ignores bearer tokens.
 *
 * <p>Implementations are thread-safe, may block (bounded) while fetching keys, never log the token and
 * never put it in a {@link Check} they return.
 */
public interface BearerTokens {

    /** The verdict on {@code token}, the text after {@code Bearer }; never throws for a bad token. */
    Check check(String token);

    /** What a token showed. */
    sealed interface Check permits Accepted, AcceptedUser, Refused {}

    /**
     * A CI job's token verified.
     *
     * @param identity the caller's identity, as a client certificate would have named it
     * @param credential what the caller proved, kept with the {@link Caller}
     */
    record Accepted(SpiffeId identity, Credential.IdentityToken credential) implements Check {
        public Accepted {
            requireNonNull(identity, "identity is null");
            requireNonNull(credential, "credential is null");
        }
    }

    /**
     * A person's ID token verified: the caller is the person only when a delegate presented it.
     *
     * @param identity the person's identity ({@code spiffe://TD/human/...})
     * @param issuer the configured name of the human issuer
     * @param expiresAt the token's {@code exp}
     * @param claims every verified claim as a string
     * @param amr the token's {@code amr}
     * @param stepUp what the login must show to approve or reject a run
     */
    record AcceptedUser(SpiffeId identity, String issuer, Instant expiresAt, Map<String, String> claims, List<String> amr,
            StepUp stepUp) implements Check {
        public AcceptedUser {
            requireNonNull(identity, "identity is null");
            requireNonNull(issuer, "issuer is null");
            requireNonNull(expiresAt, "expiresAt is null");
            claims = Map.copyOf(requireNonNull(claims, "claims is null"));
            amr = List.copyOf(requireNonNull(amr, "amr is null"));
            requireNonNull(stepUp, "stepUp is null");
        }

        /** The credential of the person's call through {@code delegate}. */
        public Credential.DelegatedUser via(SpiffeId delegate) {
            return new Credential.DelegatedUser(issuer, delegate, expiresAt, claims, amr, stepUp);
        }
    }

    /**
     * The token was refused.
     *
     * @param reason stable UPPER_SNAKE {@code ErrorInfo} reason, e.g. {@code TOKEN_EXPIRED}
     * @param message fixed text safe to show the caller, quoting nothing from the token
     * @param retryable the verifier could not decide (its issuer unreachable): UNAVAILABLE, not UNAUTHENTICATED
     * @param auditAttributes what the token claimed, unverified, for the audit record only
     */
    record Refused(String reason, String message, boolean retryable, Map<String, String> auditAttributes)
            implements Check {
        public Refused {
            requireNonNull(reason, "reason is null");
            requireNonNull(message, "message is null");
            auditAttributes = Map.copyOf(requireNonNull(auditAttributes, "auditAttributes is null"));
        }
    }
}
