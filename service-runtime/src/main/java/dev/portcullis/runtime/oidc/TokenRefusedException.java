package dev.portcullis.runtime.oidc;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.error.DomainException;
import java.util.Map;

/**
 * An identity token was refused. Carries the {@link TokenRefusal} (also the {@link #reason()}) and the
 * token's {@link UnverifiedClaims} for the audit record. Neither the message, the metadata nor
 * {@link #toString()} holds the token or any part of it.
 */
public final class TokenRefusedException extends DomainException {
    private static final long serialVersionUID = 1L;

    private final TokenRefusal refusal;
    private final transient UnverifiedClaims unverifiedClaims;

    TokenRefusedException(TokenRefusal refusal, UnverifiedClaims unverifiedClaims) {
        super(requireNonNull(refusal, "refusal is null").kind(), refusal.name(), refusal.message(), Map.of());
        this.refusal = refusal;
        this.unverifiedClaims = requireNonNull(unverifiedClaims, "unverifiedClaims is null");
    }

    /** Why the token was refused. */
    public TokenRefusal refusal() {
        return refusal;
    }

    /** What the token claimed, unverified: for the audit record only, never for a decision. */
    public UnverifiedClaims unverifiedClaims() {
        return unverifiedClaims;
    }
}
