package dev.portcullis.runtime.oidc;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.StepUp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One OIDC issuer whose identity tokens a service accepts, validated on construction: a CI system's
 * (the gateway takes its jobs' tokens directly) or a human identity provider's (the gateway and the
 * audit service take its ID tokens only from a delegate, the web console). Error messages name the
 * property as {@code portcullis.oidc.issuers.NAME.KEY}, the prefix the configuration binds it from.
 *
 * @param name the issuer's configured name ({@code github}, {@code gitlab}): letters, digits, '-', '_'
 * @param issuerUrl the exact {@code iss} of its tokens; https, with a host, no query, fragment or user info
 * @param audience the one {@code aud} its tokens must carry
 * @param keyLocation where its signing keys are published: a JWKS URL, or OpenID discovery
 * @param caCertificates the only certificates trusted for the TLS of the issuer's discovery and JWKS URLs
 * @param identityTemplate maps verified claims to the caller's SPIFFE-form identity
 * @param requiredClaims immutable claims that must have exactly these values (e.g. {@code repository_id=123})
 * @param maxTokenLifetime the longest accepted {@code exp - iat}; default 1 h, at most 24 h
 * @param clockSkew how far our clock and the issuer's may disagree; default and maximum 60 s
 * @param maxTokenBytes the longest accepted token; default 8 KiB, between 1 KiB and 64 KiB
 * @param keysKeptFor how long a fetched key set stays usable while the issuer cannot be reached;
 *     default 24 h, at most 7 days
 * @param fetchTimeout the connect timeout and the request timeout of each fetch; default 5 s, at most 60 s
 * @param kind whose tokens: a CI system's jobs' ({@code ci}, the default) or people's ({@code human}); a
 *     human issuer's identity template maps to {@code spiffe://TD/human/...}, a CI issuer's never does
 * @param approvalStepUp what a person's login must show to approve or reject a run (human issuers only)
 */
public record OidcIssuer(
        String name,
        URI issuerUrl,
        String audience,
        KeyLocation keyLocation,
        List<X509Certificate> caCertificates,
        IdentityTemplate identityTemplate,
        Map<String, String> requiredClaims,
        Duration maxTokenLifetime,
        Duration clockSkew,
        int maxTokenBytes,
        Duration keysKeptFor,
        Duration fetchTimeout,
        Kind kind,
        StepUp approvalStepUp) {

    public static final Duration DEFAULT_MAX_TOKEN_LIFETIME = Duration.ofHours(1);
    public static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_TOKEN_BYTES = 8 * 1024;
    public static final Duration DEFAULT_KEYS_KEPT_FOR = Duration.ofHours(24);
    public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(5);

    private static final String PREFIX = "portcullis.oidc.issuers.";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern CLAIM_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");
    private static final int MAX_AUDIENCE_LENGTH = 256;
    private static final int MAX_CLAIM_VALUE_LENGTH = 256;

    /** Whose tokens an issuer signs. */
    public enum Kind {
        /** A CI system's jobs (GitHub Actions, GitLab CI): bound to a commit, presented directly. */
        CI,
        /** People signing in at the web console: presented only by a delegate, never directly. */
        HUMAN
    }

    /** Where an issuer publishes its signing keys. */
    public sealed interface KeyLocation {
        /** {@code issuer + "/.well-known/openid-configuration"} names the JWKS URL. */
        record Discovery() implements KeyLocation {}

        /** The JWKS URL, configured. */
        record JwksUrl(URI url) implements KeyLocation {
            public JwksUrl {
                requireNonNull(url, "url is null");
            }
        }
    }

    public OidcIssuer {
        requireNonNull(name, "name is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(PREFIX + "NAME must be 1-64 letters, digits, '-' or '_'");
        }
        String prefix = PREFIX + name + ".";
        requireNonNull(issuerUrl, prefix + "issuer-url is null");
        if (!isPlainHttps(issuerUrl)) {
            throw new IllegalArgumentException(prefix
                    + "issuer-url must be an https URL with a host and no user info, query or fragment");
        }
        requireNonNull(audience, prefix + "audience is null");
        if (audience.isBlank() || audience.length() > MAX_AUDIENCE_LENGTH) {
            throw new IllegalArgumentException(prefix + "audience must be 1-" + MAX_AUDIENCE_LENGTH + " characters, not blank");
        }
        requireNonNull(keyLocation, prefix + "jwks-url is null");
        if (keyLocation instanceof KeyLocation.JwksUrl jwks && !isPlainHttps(jwks.url())) {
            throw new IllegalArgumentException(prefix
                    + "jwks-url must be an https URL with a host and no user info, query or fragment");
        }
        caCertificates = List.copyOf(requireNonNull(caCertificates, prefix + "ca-file is null"));
        if (caCertificates.isEmpty()) {
            throw new IllegalArgumentException(prefix + "ca-file must hold at least one certificate");
        }
        requireNonNull(identityTemplate, prefix + "identity-template is null");
        requireNonNull(requiredClaims, prefix + "required-claims is null");
        requiredClaims.forEach((claim, value) -> {
            if (!CLAIM_NAME.matcher(claim).matches()) {
                throw new IllegalArgumentException(prefix + "required-claims names must be 1-64 letters, digits or '_'");
            }
            if (value.isEmpty() || value.length() > MAX_CLAIM_VALUE_LENGTH) {
                throw new IllegalArgumentException(prefix + "required-claims." + claim + " must be 1-"
                        + MAX_CLAIM_VALUE_LENGTH + " characters");
            }
        });
        requiredClaims = Map.copyOf(requiredClaims);
        requireWithin(prefix + "max-token-lifetime", maxTokenLifetime, Duration.ofSeconds(1), Duration.ofHours(24));
        requireWithin(prefix + "clock-skew", clockSkew, Duration.ZERO, MAX_CLOCK_SKEW);
        if (maxTokenBytes < 1024 || maxTokenBytes > 64 * 1024) {
            throw new IllegalArgumentException(prefix + "max-token-bytes must be between 1024 and 65536");
        }
        requireWithin(prefix + "keys-kept-for", keysKeptFor, Duration.ofMinutes(1), Duration.ofDays(7));
        requireWithin(prefix + "fetch-timeout", fetchTimeout, Duration.ofMillis(100), Duration.ofSeconds(60));
        requireNonNull(kind, prefix + "kind is null");
        requireNonNull(approvalStepUp, prefix + "approval-max-login-age is null");
        requireWithin(prefix + "approval-max-login-age", approvalStepUp.maxLoginAge(), Duration.ofSeconds(30),
                Duration.ofHours(24));
        // a person's token must never map onto a CI job's or a service's identity, nor a job's onto a person's
        boolean humanPath = templatePath(identityTemplate).startsWith("/human/");
        if (kind == Kind.HUMAN && !humanPath) {
            throw new IllegalArgumentException(prefix + "identity-template of a human issuer must map to spiffe://TD/human/...");
        }
        if (kind == Kind.CI && humanPath) {
            throw new IllegalArgumentException(prefix + "identity-template of a ci issuer must not map to spiffe://TD/human/...");
        }
        if (kind == Kind.CI && (!approvalStepUp.requiredAmr().isEmpty() || !approvalStepUp.acceptedAcr().isEmpty())) {
            throw new IllegalArgumentException(prefix + "approval-required-amr and approval-required-acr apply to human issuers only");
        }
    }

    /** "/human/{sub}" of "spiffe://example.org/human/{sub}". */
    private static String templatePath(IdentityTemplate template) {
        String rest = template.value().substring("spiffe://".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? "" : rest.substring(slash);
    }

    /** An issuer with every optional setting at its default: discovery, no required claims. */
    public static Builder builder(String name, URI issuerUrl, String audience, IdentityTemplate identityTemplate,
            List<X509Certificate> caCertificates) {
        return new Builder(name, issuerUrl, audience, identityTemplate, caCertificates);
    }

    /**
     * The certificates of a PEM bundle, for {@link #caCertificates()}.
     *
     * @throws UncheckedIOException naming the file when it cannot be read
     * @throws IllegalArgumentException naming the file when it holds no PEM certificate
     */
    public static List<X509Certificate> readCaBundle(Path pemFile) {
        requireNonNull(pemFile, "pemFile is null");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(pemFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CA bundle " + pemFile, e);
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            for (Certificate certificate : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes))) {
                certificates.add((X509Certificate) certificate);
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM CA bundle: " + pemFile);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no certificate in CA bundle " + pemFile);
        }
        return List.copyOf(certificates);
    }

    /** The URL of the OpenID discovery document. */
    URI discoveryUrl() {
        String issuer = issuerUrl.toString();
        return URI.create((issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                + "/.well-known/openid-configuration");
    }

    static boolean isPlainHttps(URI url) {
        return url.isAbsolute() && "https".equals(url.getScheme()) && url.getHost() != null
                && url.getRawUserInfo() == null && url.getRawQuery() == null && url.getRawFragment() == null;
    }

    private static void requireWithin(String property, Duration value, Duration min, Duration max) {
        requireNonNull(value, property + " is null");
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(property + " must be between " + min + " and " + max);
        }
    }

    /** Certificates print whole; only their subjects are shown. */
    @Override
    public String toString() {
        return "OidcIssuer[name=" + name + ", issuerUrl=" + issuerUrl + ", audience=" + audience + ", keyLocation="
                + keyLocation + ", caCertificates=" + caCertificates.stream()
                        .map(c -> c.getSubjectX500Principal().getName()).toList()
                + ", identityTemplate=" + identityTemplate + ", requiredClaims=" + new TreeMap<>(requiredClaims)
                + ", maxTokenLifetime=" + maxTokenLifetime + ", clockSkew=" + clockSkew + ", maxTokenBytes="
                + maxTokenBytes + ", keysKeptFor=" + keysKeptFor + ", fetchTimeout=" + fetchTimeout + ", kind=" + kind
                + ", approvalStepUp=" + approvalStepUp + "]";
    }

    /** Builds an {@link OidcIssuer}; not thread-safe. */
    public static final class Builder {
        private final String name;
        private final URI issuerUrl;
        private final String audience;
        private final IdentityTemplate identityTemplate;
        private final List<X509Certificate> caCertificates;
        private KeyLocation keyLocation = new KeyLocation.Discovery();
        private Map<String, String> requiredClaims = Map.of();
        private Duration maxTokenLifetime = DEFAULT_MAX_TOKEN_LIFETIME;
        private Duration clockSkew = MAX_CLOCK_SKEW;
        private int maxTokenBytes = DEFAULT_MAX_TOKEN_BYTES;
        private Duration keysKeptFor = DEFAULT_KEYS_KEPT_FOR;
        private Duration fetchTimeout = DEFAULT_FETCH_TIMEOUT;
        private Kind kind = Kind.CI;
        private StepUp approvalStepUp = new StepUp(StepUp.DEFAULT_MAX_LOGIN_AGE, Set.of(), Set.of());

        private Builder(String name, URI issuerUrl, String audience, IdentityTemplate identityTemplate,
                List<X509Certificate> caCertificates) {
            this.name = name;
            this.issuerUrl = issuerUrl;
            this.audience = audience;
            this.identityTemplate = identityTemplate;
            this.caCertificates = caCertificates;
        }

        /** Fetch keys from this URL instead of discovering it. */
        public Builder jwksUrl(URI url) {
            this.keyLocation = new KeyLocation.JwksUrl(url);
            return this;
        }

        public Builder requiredClaims(Map<String, String> claims) {
            this.requiredClaims = claims;
            return this;
        }

        public Builder maxTokenLifetime(Duration lifetime) {
            this.maxTokenLifetime = lifetime;
            return this;
        }

        public Builder clockSkew(Duration skew) {
            this.clockSkew = skew;
            return this;
        }

        public Builder maxTokenBytes(int bytes) {
            this.maxTokenBytes = bytes;
            return this;
        }

        public Builder keysKeptFor(Duration kept) {
            this.keysKeptFor = kept;
            return this;
        }

        public Builder fetchTimeout(Duration timeout) {
            this.fetchTimeout = timeout;
            return this;
        }

        /** Whose tokens the issuer signs; {@link Kind#CI} unless set. */
        public Builder kind(Kind kind) {
            this.kind = kind;
            return this;
        }

        /** What a person's login must show to approve; 15 minutes' login age and nothing else unless set. */
        public Builder approvalStepUp(StepUp stepUp) {
            this.approvalStepUp = stepUp;
            return this;
        }

        /** @throws IllegalArgumentException naming the property that is not acceptable */
        public OidcIssuer build() {
            return new OidcIssuer(name, issuerUrl, audience, keyLocation, caCertificates, identityTemplate,
                    requiredClaims, maxTokenLifetime, clockSkew, maxTokenBytes, keysKeptFor, fetchTimeout, kind,
                    approvalStepUp);
        }
    }
}
