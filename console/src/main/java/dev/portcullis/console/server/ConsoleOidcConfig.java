package dev.portcullis.console.server;

import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The identity provider humans sign in at: its issuer URL (discovery at
 * {@code ISSUER/.well-known/openid-configuration}), the console's client id there, the file
 * holding the client secret when the provider requires one (never the secret itself), the CA
 * bundle its HTTPS is checked against (the JDK's trust without one), and the scopes asked for.
 * Every key is documented in docs/console.md.
 */
@ConfigurationProperties("portcullis.console.oidc")
public record ConsoleOidcConfig(
        @Nullable URI issuerUrl,
        @Nullable String clientId,
        @Nullable Path clientSecretFile,
        @Nullable Path caFile,
        @Bindable(defaultValue = "openid,profile,email") List<String> scopes,
        @Bindable(defaultValue = "10s") @PositiveDuration(max = "60s") Duration fetchTimeout) {

    public ConsoleOidcConfig {
        if (issuerUrl == null || !"https".equals(issuerUrl.getScheme()) || issuerUrl.getHost() == null
                || issuerUrl.getRawQuery() != null || issuerUrl.getRawFragment() != null || issuerUrl.getRawUserInfo() != null) {
            throw new IllegalArgumentException("portcullis.console.oidc.issuer-url is required: the identity provider's exact issuer,"
                    + " an https URL without query or fragment");
        }
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException("portcullis.console.oidc.client-id is required: the console's client id at the identity provider");
        }
        scopes = List.copyOf(scopes);
        if (!scopes.contains("openid")) {
            throw new IllegalArgumentException("portcullis.console.oidc.scopes must include openid");
        }
    }
}
