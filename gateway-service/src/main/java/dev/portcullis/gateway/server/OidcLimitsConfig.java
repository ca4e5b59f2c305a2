package dev.portcullis.gateway.server;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Limits on what one OIDC identity token may do (issue 17), {@code portcullis.oidc.*}; the issuers
 * themselves are {@code OidcIssuerConfig} (service-runtime). Every key is documented in docs/configuration.md.
 *
 * @param maxRunsPerToken how many runs one token (one {@code jti} of one issuer) may submit, on
 *     all replicas together
 */
@ConfigurationProperties("portcullis.oidc")
public record OidcLimitsConfig(@Bindable(defaultValue = "4") @Min(1) @Max(1000) int maxRunsPerToken) {}
