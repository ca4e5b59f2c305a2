package dev.portcullis.runtime.oidc;

import dev.portcullis.runtime.identity.StepUp;
import io.micronaut.context.annotation.EachProperty;
import io.micronaut.context.annotation.Parameter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.MapFormat;
import io.micronaut.core.naming.conventions.StringConvention;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One OIDC issuer whose identity tokens a service accepts, {@code portcullis.oidc.issuers.NAME.*}:
 * a CI system's (issue 17, the gateway) or people's ID tokens forwarded by the web console (issue 23,
 * the gateway and the audit service). With none configured every caller needs a client certificate. Every key is documented in docs/configuration.md and docs/oidc.md; ranges are checked by
 * {@link OidcIssuer}, whose messages name the key.
 *
 * @param name the issuer's name, the NAME in the key ({@code github}, {@code gitlab})
 * @param issuerUrl the exact {@code iss} of its tokens (https)
 * @param audience the one {@code aud} its tokens must carry
 * @param jwksUrl the JWK set URL; unset means OpenID discovery at the issuer URL
 * @param caFile PEM bundle: the only trust anchors for the TLS of discovery and the JWK set
 * @param identityTemplate maps claims to the caller's SPIFFE-form identity
 * @param requiredClaims claims that must have exactly these values, e.g. {@code repository_id: "123"}
 * @param maxTokenLifetime the longest accepted {@code exp - iat}
 * @param clockSkew allowed disagreement between clocks
 * @param maxTokenBytes the longest accepted token
 * @param keysKeptFor how long a fetched key set stays usable while the issuer is unreachable
 * @param fetchTimeout connect and request timeout of each key fetch
 * @param kind {@code ci} (default) or {@code human}
 * @param approvalMaxLoginAge a human issuer's: the oldest login ({@code auth_time}) that may approve or reject
 * @param approvalRequiredAmr a human issuer's: {@code amr} values an approving login must all hold
 * @param approvalRequiredAcr a human issuer's: the {@code acr} values of which an approving login must show one
 */
@EachProperty("portcullis.oidc.issuers")
public record OidcIssuerConfig(
        @Parameter String name,
        @Nullable String issuerUrl,
        @Nullable String audience,
        @Nullable String jwksUrl,
        @Nullable Path caFile,
        @Nullable String identityTemplate,
        // claim names are case- and underscore-sensitive: bound as written, not normalised
        @Nullable @MapFormat(transformation = MapFormat.MapTransformation.FLAT, keyFormat = StringConvention.RAW)
                Map<String, String> requiredClaims,
        @Bindable(defaultValue = "1h") Duration maxTokenLifetime,
        @Bindable(defaultValue = "60s") Duration clockSkew,
        @Bindable(defaultValue = "8192") int maxTokenBytes,
        @Bindable(defaultValue = "24h") Duration keysKeptFor,
        @Bindable(defaultValue = "5s") Duration fetchTimeout,
        @Bindable(defaultValue = "ci") String kind,
        @Bindable(defaultValue = "15m") Duration approvalMaxLoginAge,
        @Nullable List<String> approvalRequiredAmr,
        @Nullable List<String> approvalRequiredAcr) {

    public OidcIssuerConfig {
        String prefix = "portcullis.oidc.issuers." + name + ".";
        require(prefix + "issuer-url", issuerUrl, "the exact iss of the issuer's tokens, https");
        require(prefix + "audience", audience, "the one aud the issuer's tokens must carry");
        if (caFile == null) {
            throw new IllegalArgumentException(prefix + "ca-file is required: the PEM bundle trusted for the issuer's TLS");
        }
        require(prefix + "identity-template", identityTemplate,
                "a SPIFFE ID with {claim} placeholders, e.g. spiffe://example.org/ci/github/{repository}");
        requiredClaims = requiredClaims == null ? Map.of() : Map.copyOf(requiredClaims);
        kind = kind.toLowerCase(Locale.ROOT);
        if (!kind.equals("ci") && !kind.equals("human")) {
            throw new IllegalArgumentException(prefix + "kind must be ci or human");
        }
        approvalRequiredAmr = approvalRequiredAmr == null ? List.of() : List.copyOf(approvalRequiredAmr);
        approvalRequiredAcr = approvalRequiredAcr == null ? List.of() : List.copyOf(approvalRequiredAcr);
        checkValues(prefix + "approval-required-amr", approvalRequiredAmr);
        checkValues(prefix + "approval-required-acr", approvalRequiredAcr);
    }

    private static void checkValues(String key, List<String> values) {
        for (String value : values) {
            if (value.isBlank() || value.length() > 256) {
                throw new IllegalArgumentException(key + " values must be 1-256 characters, not blank");
            }
        }
    }

    private static void require(String key, String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required: " + what);
        }
    }

    /**
     * The issuer's settings, its CA bundle read from {@code ca-file}.
     *
     * @throws IllegalArgumentException naming the key whose value is not acceptable or whose file cannot be read
     */
    public OidcIssuer issuer() {
        String prefix = "portcullis.oidc.issuers." + name + ".";
        List<X509Certificate> ca;
        try {
            ca = OidcIssuer.readCaBundle(caFile);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + "ca-file is not a readable PEM certificate bundle: " + caFile);
        }
        IdentityTemplate template;
        try {
            template = new IdentityTemplate(identityTemplate);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + "identity-template: " + e.getMessage());
        }
        OidcIssuer.Builder builder = OidcIssuer.builder(name, url(prefix + "issuer-url", issuerUrl), audience, template, ca)
                .requiredClaims(requiredClaims)
                .maxTokenLifetime(maxTokenLifetime)
                .clockSkew(clockSkew)
                .maxTokenBytes(maxTokenBytes)
                .keysKeptFor(keysKeptFor)
                .fetchTimeout(fetchTimeout)
                .kind(kind.equals("human") ? OidcIssuer.Kind.HUMAN : OidcIssuer.Kind.CI)
                .approvalStepUp(new StepUp(approvalMaxLoginAge, Set.copyOf(approvalRequiredAmr),
                        Set.copyOf(approvalRequiredAcr)));
        if (jwksUrl != null && !jwksUrl.isBlank()) {
            builder.jwksUrl(url(prefix + "jwks-url", jwksUrl));
        }
        return builder.build();
    }

    private static URI url(String key, String value) {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + " must be an https URL with a host and no user info, query or fragment");
        }
    }
}
