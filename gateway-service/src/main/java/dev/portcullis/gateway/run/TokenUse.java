package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

/**
 * The OIDC identity token a run was submitted with, as the per-token run limit counts it: its
 * issuer's configured name and its {@code jti} (unique within the issuer).
 */
public record TokenUse(String issuer, String jti) {
    public TokenUse {
        requireNonNull(issuer, "issuer is null");
        requireNonNull(jti, "jti is null");
        if (issuer.isEmpty() || jti.isEmpty()) {
            throw new IllegalArgumentException("issuer and jti must not be empty");
        }
    }
}
