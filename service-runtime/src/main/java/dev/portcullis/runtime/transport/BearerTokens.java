package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.Credential;
import dev.portcullis.runtime.identity.SpiffeId;
import java.util.Map;

/**
 * How a server verifies the {@code authorization: Bearer} token of a caller, for a server that also
 * admits callers without a client certificate (the gateway, when OIDC issuers are configured). A
 * server without one requires a client certificate of every caller and ignores bearer tokens.
 *
 * <p>Implementations are thread-safe, may block (bounded) while fetching keys, never log the token and
 * never put it in a {@link Check} they return.
 */
public interface BearerTokens {

    /** The verdict on {@code token}, the text after {@code Bearer }; never throws for a bad token. */
    Check check(String token);

    /** What a token showed. */
    sealed interface Check permits Accepted, Refused {}

    /**
     * The token verified.
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
