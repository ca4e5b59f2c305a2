package dev.portcullis.runtime.oidc;

import dev.portcullis.runtime.identity.SpiffeId;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who may present a person's identity token, {@code portcullis.oidc.delegates} (issue 23): the SPIFFE
 * IDs of the web console's certificates. Empty (the default): no person's token is accepted. Read by
 * the gateway and the audit service; documented in docs/configuration.md and docs/oidc.md.
 *
 * @param delegates the delegates' SPIFFE IDs, e.g. {@code spiffe://example.org/console}
 */
@ConfigurationProperties("portcullis.oidc")
public record OidcDelegatesConfig(@Nullable List<String> delegates) {

    public OidcDelegatesConfig {
        delegates = delegates == null ? List.of() : List.copyOf(delegates);
        identities(delegates);
    }

    /** The delegates as identities. */
    public Set<SpiffeId> identities() {
        return identities(delegates);
    }

    private static Set<SpiffeId> identities(List<String> values) {
        Set<SpiffeId> identities = new LinkedHashSet<>();
        for (String value : values) {
            try {
                identities.add(SpiffeId.parse(value));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("portcullis.oidc.delegates must hold SPIFFE IDs: " + e.getMessage());
            }
        }
        return Set.copyOf(identities);
    }
}
