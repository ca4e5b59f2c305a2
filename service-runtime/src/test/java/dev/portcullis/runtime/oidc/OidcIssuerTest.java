package dev.portcullis.runtime.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.testing.TestPki;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OidcIssuerTest {
    @TempDir
    static Path dir;
    private static List<X509Certificate> ca;

    @BeforeAll
    static void readCa() {
        ca = OidcIssuer.readCaBundle(TestPki.create(dir).caFile());
    }

    @Test
    void defaultsAreDiscoveryOneHourSixtySecondsEightKibAndADay() {
        OidcIssuer issuer = github("https://token.actions.githubusercontent.com").build();

        assertEquals(new OidcIssuer.KeyLocation.Discovery(), issuer.keyLocation());
        assertEquals(Duration.ofHours(1), issuer.maxTokenLifetime());
        assertEquals(Duration.ofSeconds(60), issuer.clockSkew());
        assertEquals(8192, issuer.maxTokenBytes());
        assertEquals(Duration.ofHours(24), issuer.keysKeptFor());
        assertEquals(Duration.ofSeconds(5), issuer.fetchTimeout());
        assertEquals(Map.of(), issuer.requiredClaims());
    }

    @Test
    void discoveryDocumentIsUnderTheIssuer() {
        OidcIssuer issuer = github("https://gitlab.example.org/").build();

        assertEquals(URI.create("https://gitlab.example.org/.well-known/openid-configuration"), issuer.discoveryUrl());
    }

    @Test
    void plainHttpIssuerIsRefusedNamingTheProperty() {
        assertRefused("portcullis.oidc.issuers.github.issuer-url", b -> b, "http://token.actions.githubusercontent.com");
    }

    @Test
    void plainHttpJwksUrlIsRefusedNamingTheProperty() {
        assertRefused("portcullis.oidc.issuers.github.jwks-url", b -> b.jwksUrl(URI.create("http://keys.example.org/jwks")));
    }

    @Test
    void clockSkewBeyondSixtySecondsIsRefused() {
        assertRefused("portcullis.oidc.issuers.github.clock-skew", b -> b.clockSkew(Duration.ofSeconds(61)));
    }

    @Test
    void lifetimeBeyondADayIsRefused() {
        assertRefused("portcullis.oidc.issuers.github.max-token-lifetime", b -> b.maxTokenLifetime(Duration.ofHours(25)));
    }

    @Test
    void tinyTokenBoundIsRefused() {
        assertRefused("portcullis.oidc.issuers.github.max-token-bytes", b -> b.maxTokenBytes(100));
    }

    @Test
    void requiredClaimWithAnEmptyValueIsRefused() {
        assertRefused("portcullis.oidc.issuers.github.required-claims.repository_id",
                b -> b.requiredClaims(Map.of("repository_id", "")));
    }

    @Test
    void blankAudienceIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> OidcIssuer.builder("github",
                URI.create("https://token.actions.githubusercontent.com"), " ",
                new IdentityTemplate("spiffe://example.org/ci/github/{repository}"), ca).build());

        assertTrue(refused.getMessage().startsWith("portcullis.oidc.issuers.github.audience"), refused.getMessage());
    }

    @Test
    void emptyCaBundleIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> OidcIssuer.builder("github",
                URI.create("https://token.actions.githubusercontent.com"), "portcullis",
                new IdentityTemplate("spiffe://example.org/ci/github/{repository}"), List.of()).build());

        assertTrue(refused.getMessage().startsWith("portcullis.oidc.issuers.github.ca-file"), refused.getMessage());
    }

    @Test
    void caBundleWithoutCertificatesIsRefusedNamingTheFile(@TempDir Path empty) throws Exception {
        Path file = Files.writeString(empty.resolve("ca.pem"), "not a certificate\n");

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> OidcIssuer.readCaBundle(file));

        assertTrue(refused.getMessage().contains(file.toString()), refused.getMessage());
    }

    @Test
    void toStringShowsCertificateSubjectsNotCertificates() throws Exception {
        OidcIssuer issuer = github("https://token.actions.githubusercontent.com").build();

        String shown = issuer.toString();

        assertTrue(shown.contains("Portcullis test CA"), shown);
        assertFalse(shown.contains(Base64.getEncoder().encodeToString(ca.get(0).getEncoded()).substring(0, 40)), shown);
        assertFalse(shown.contains("Signature"), shown);
    }

    private static OidcIssuer.Builder github(String issuerUrl) {
        return OidcIssuer.builder("github", URI.create(issuerUrl), "portcullis",
                new IdentityTemplate("spiffe://example.org/ci/github/{repository}"), ca);
    }

    private static void assertRefused(String property, UnaryOperator<OidcIssuer.Builder> change) {
        assertRefused(property, change, "https://token.actions.githubusercontent.com");
    }

    private static void assertRefused(String property, UnaryOperator<OidcIssuer.Builder> change, String issuerUrl) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> change.apply(github(issuerUrl)).build());

        assertTrue(refused.getMessage().startsWith(property + " "), refused.getMessage());
    }
}
