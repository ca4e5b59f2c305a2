package dev.portcullis.runtime.oidc;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.Credential;
import dev.portcullis.runtime.transport.BearerTokens;
import java.util.Map;
import java.util.TreeMap;

/**
 * A service's bearer-token check: a CI token {@link OidcTokenVerifier} verifies makes its caller the
 * token's identity, with the token's issuer, commit, ref, {@code jti} and claims as its credential; a
 * person's ({@link VerifiedLogin}) is accepted as a user's, for the access check to admit only from a
 * delegate; a
 * refused one is refused with the {@link TokenRefusal} as reason ({@code TOKEN_ISSUER_UNAVAILABLE}
 * retryable) and its claims, marked unverified, for the audit record. Thread-safe; blocks as
 * {@link OidcTokenVerifier#verify} does.
 */
public final class OidcBearerTokens implements BearerTokens {
    private final OidcTokenVerifier verifier;

    public OidcBearerTokens(OidcTokenVerifier verifier) {
        this.verifier = requireNonNull(verifier, "verifier is null");
    }

    @Override
    public Check check(String token) {
        Verified verified;
        try {
            verified = verifier.verify(token);
        } catch (TokenRefusedException refused) {
            Map<String, String> attributes = new TreeMap<>();
            refused.unverifiedClaims().values().forEach((claim, value) -> attributes.put("unverified_" + claim, value));
            return new Refused(refused.reason(), refused.refusal().message(),
                    refused.refusal() == TokenRefusal.TOKEN_ISSUER_UNAVAILABLE, attributes);
        }
        if (verified instanceof VerifiedLogin login) {
            return new AcceptedUser(login.identity(), login.issuerName(), login.expiresAt(), login.claims(), login.amr(),
                    login.stepUp());
        }
        VerifiedToken ci = (VerifiedToken) verified;
        return new Accepted(ci.identity(), new Credential.IdentityToken(ci.issuerName(), ci.commit(), ci.ref(), ci.jti(),
                ci.expiresAt(), ci.claims()));
    }
}
