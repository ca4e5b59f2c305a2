package dev.portcullis.runtime.oidc;

import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.transport.BearerTokens;
import dev.portcullis.runtime.transport.TokenAdmission;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which identity tokens a service admits, from its configured issuers and delegates: the gateway takes
 * CI jobs' tokens directly and people's from delegates; the audit service only people's, from delegates.
 */
public final class OidcAdmission {
    private static final Logger log = LoggerFactory.getLogger(OidcAdmission.class);
    /** With delegates but no human issuer, every token a delegate presents is refused: the delegates stay admitted nothing. */
    private static final BearerTokens NO_ISSUER = token -> new BearerTokens.Refused(TokenRefusal.TOKEN_ISSUER.name(),
            TokenRefusal.TOKEN_ISSUER.message(), false, Map.of());

    private OidcAdmission() {}

    /**
     * The gateway's: CI issuers' tokens from anyone (client certificate optional when there is one), human
     * issuers' from {@code delegates}; empty when neither an issuer nor a delegate is configured.
     */
    public static Optional<TokenAdmission> gateway(List<OidcIssuer> issuers, Set<SpiffeId> delegates, Clock clock) {
        warnWithoutHumanIssuer(issuers, delegates);
        if (issuers.isEmpty() && delegates.isEmpty()) {
            return Optional.empty();
        }
        boolean ci = issuers.stream().anyMatch(issuer -> issuer.kind() == OidcIssuer.Kind.CI);
        return Optional.of(new TokenAdmission(tokens(issuers, clock), ci, delegates));
    }

    /**
     * The audit service's: only human issuers' tokens, only from {@code delegates}; CI issuers are not
     * trusted at all. Empty when there is no delegate.
     */
    public static Optional<TokenAdmission> delegatesOnly(List<OidcIssuer> issuers, Set<SpiffeId> delegates, Clock clock) {
        warnWithoutHumanIssuer(issuers, delegates);
        if (delegates.isEmpty()) {
            return Optional.empty();
        }
        List<OidcIssuer> human = issuers.stream().filter(issuer -> issuer.kind() == OidcIssuer.Kind.HUMAN).toList();
        return Optional.of(new TokenAdmission(tokens(human, clock), false, delegates));
    }

    private static BearerTokens tokens(List<OidcIssuer> issuers, Clock clock) {
        return issuers.isEmpty() ? NO_ISSUER : new OidcBearerTokens(new OidcTokenVerifier(issuers, clock));
    }

    /** Not a start-up failure: dev mode names its console a delegate before a dev identity provider exists. */
    private static void warnWithoutHumanIssuer(List<OidcIssuer> issuers, Set<SpiffeId> delegates) {
        if (!delegates.isEmpty() && issuers.stream().noneMatch(issuer -> issuer.kind() == OidcIssuer.Kind.HUMAN)) {
            log.atWarn().addKeyValue("delegates", delegates.size()).log("oidc.delegates_without_human_issuer");
        }
    }
}
