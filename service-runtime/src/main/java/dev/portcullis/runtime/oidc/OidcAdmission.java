package dev.portcullis.runtime.oidc;

import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.transport.TokenAdmission;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which identity tokens a service admits, from its configured issuers and delegates: the gateway takes
 * CI jobs' tokens directly and people's from delegates; the audit service only people's, from delegates.
 */
public final class OidcAdmission {
    private OidcAdmission() {}

    /**
     * The gateway's: CI issuers' tokens from anyone (client certificate optional when there is one), human
     * issuers' from {@code delegates}; empty when no issuer is configured.
     *
     * @throws IllegalArgumentException naming the setting when delegates are configured without a human issuer
     */
    public static Optional<TokenAdmission> gateway(List<OidcIssuer> issuers, Set<SpiffeId> delegates, Clock clock) {
        requireHumanIssuerForDelegates(issuers, delegates);
        if (issuers.isEmpty()) {
            return Optional.empty();
        }
        boolean ci = issuers.stream().anyMatch(issuer -> issuer.kind() == OidcIssuer.Kind.CI);
        return Optional.of(new TokenAdmission(new OidcBearerTokens(new OidcTokenVerifier(issuers, clock)), ci, delegates));
    }

    /**
     * The audit service's: only human issuers' tokens, only from {@code delegates}; CI issuers are not
     * trusted at all. Empty when there is no delegate or no human issuer.
     *
     * @throws IllegalArgumentException naming the setting when delegates are configured without a human issuer
     */
    public static Optional<TokenAdmission> delegatesOnly(List<OidcIssuer> issuers, Set<SpiffeId> delegates, Clock clock) {
        requireHumanIssuerForDelegates(issuers, delegates);
        List<OidcIssuer> human = issuers.stream().filter(issuer -> issuer.kind() == OidcIssuer.Kind.HUMAN).toList();
        if (human.isEmpty() || delegates.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TokenAdmission(new OidcBearerTokens(new OidcTokenVerifier(human, clock)), false, delegates));
    }

    private static void requireHumanIssuerForDelegates(List<OidcIssuer> issuers, Set<SpiffeId> delegates) {
        if (!delegates.isEmpty() && issuers.stream().noneMatch(issuer -> issuer.kind() == OidcIssuer.Kind.HUMAN)) {
            throw new IllegalArgumentException("portcullis.oidc.delegates needs an issuer with "
                    + "portcullis.oidc.issuers.NAME.kind: human, whose tokens the delegates forward");
        }
    }
}
