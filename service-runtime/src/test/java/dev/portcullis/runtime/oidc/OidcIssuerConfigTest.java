package dev.portcullis.runtime.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.StepUp;
import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.TestPki;
import io.micronaut.context.ApplicationContext;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code portcullis.oidc.issuers.NAME.*}: every key bound, defaults pinned, bad values stop start-up naming the key. */
class OidcIssuerConfigTest {
    private static final String PREFIX = "portcullis.oidc.issuers.github.";

    @TempDir
    Path dir;

    private Map<String, Object> required() {
        return Map.of(
                PREFIX + "issuer-url", "https://token.actions.githubusercontent.com",
                PREFIX + "audience", "https://portcullis.example.org",
                PREFIX + "ca-file", TestPki.create(dir).caFile().toString(),
                PREFIX + "identity-template", "spiffe://example.org/ci/github/{repository}");
    }

    @Test
    void noIssuerConfiguredBindsNone() {
        assertEquals(List.of(), issuers(Map.of()));
    }

    @Test
    void onlyIssuerUrlAudienceCaFileAndTemplateAreRequiredAndTheRestDefault() {
        OidcIssuer issuer = issuers(required()).get(0).issuer();

        assertEquals("github", issuer.name());
        assertEquals(URI.create("https://token.actions.githubusercontent.com"), issuer.issuerUrl());
        assertEquals("https://portcullis.example.org", issuer.audience());
        assertEquals(new OidcIssuer.KeyLocation.Discovery(), issuer.keyLocation());
        assertEquals(1, issuer.caCertificates().size());
        assertEquals("spiffe://example.org/ci/github/{repository}", issuer.identityTemplate().value());
        assertEquals(Map.of(), issuer.requiredClaims());
        assertEquals(Duration.ofHours(1), issuer.maxTokenLifetime());
        assertEquals(Duration.ofSeconds(60), issuer.clockSkew());
        assertEquals(8192, issuer.maxTokenBytes());
        assertEquals(Duration.ofHours(24), issuer.keysKeptFor());
        assertEquals(Duration.ofSeconds(5), issuer.fetchTimeout());
    }

    @Test
    void everyKeyIsBound() {
        Map<String, Object> properties = new HashMap<>(required());
        properties.put(PREFIX + "jwks-url", "https://token.actions.githubusercontent.com/.well-known/jwks");
        properties.put(PREFIX + "required-claims.repository_id", "123");
        properties.put(PREFIX + "required-claims.repository_owner_id", "4242");
        properties.put(PREFIX + "max-token-lifetime", "2h");
        properties.put(PREFIX + "clock-skew", "30s");
        properties.put(PREFIX + "max-token-bytes", "4096");
        properties.put(PREFIX + "keys-kept-for", "12h");
        properties.put(PREFIX + "fetch-timeout", "2s");

        OidcIssuer issuer = issuers(properties).get(0).issuer();

        assertEquals(new OidcIssuer.KeyLocation.JwksUrl(URI.create("https://token.actions.githubusercontent.com/.well-known/jwks")),
                issuer.keyLocation());
        assertEquals(Map.of("repository_id", "123", "repository_owner_id", "4242"), issuer.requiredClaims());
        assertEquals(Duration.ofHours(2), issuer.maxTokenLifetime());
        assertEquals(Duration.ofSeconds(30), issuer.clockSkew());
        assertEquals(4096, issuer.maxTokenBytes());
        assertEquals(Duration.ofHours(12), issuer.keysKeptFor());
        assertEquals(Duration.ofSeconds(2), issuer.fetchTimeout());
    }

    @Test
    void anIssuerIsOfKindCiWithFifteenMinutesLoginAgeAndNoMfaUnlessSet() {
        OidcIssuer issuer = issuers(required()).get(0).issuer();

        assertEquals(OidcIssuer.Kind.CI, issuer.kind());
        assertEquals(new StepUp(Duration.ofMinutes(15), Set.of(), Set.of()), issuer.approvalStepUp());
    }

    @Test
    void everyKeyOfAHumanIssuerIsBound() {
        Map<String, Object> properties = new HashMap<>(required());
        properties.put(PREFIX + "identity-template", "spiffe://example.org/human/{sub}");
        properties.put(PREFIX + "kind", "human");
        properties.put(PREFIX + "approval-max-login-age", "5m");
        properties.put(PREFIX + "approval-required-amr", List.of("mfa", "hwk"));
        properties.put(PREFIX + "approval-required-acr", List.of("urn:mace:incommon:iap:silver"));

        OidcIssuer issuer = issuers(properties).get(0).issuer();

        assertEquals(OidcIssuer.Kind.HUMAN, issuer.kind());
        assertEquals(new StepUp(Duration.ofMinutes(5), Set.of("mfa", "hwk"), Set.of("urn:mace:incommon:iap:silver")),
                issuer.approvalStepUp());
    }

    @Test
    void anUnknownKindStopsStartupNamingTheKey() {
        Map<String, Object> properties = new HashMap<>(required());
        properties.put(PREFIX + "kind", "robot");

        RuntimeException e = assertThrows(RuntimeException.class, () -> issuers(properties));

        assertEquals(PREFIX + "kind must be ci or human", StartupFailure.describe(e));
    }

    @Test
    void noDelegateUnlessConfigured() {
        assertEquals(Set.of(), delegates(Map.of()).identities());
    }

    @Test
    void delegatesAreBoundAsIdentities() {
        OidcDelegatesConfig delegates = delegates(Map.of("portcullis.oidc.delegates", List.of("spiffe://example.org/console")));

        assertEquals(Set.of(SpiffeId.parse("spiffe://example.org/console")), delegates.identities());
    }

    @Test
    void aDelegateThatIsNoSpiffeIdStopsStartupNamingTheKey() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> delegates(Map.of("portcullis.oidc.delegates", List.of("console"))));

        assertTrue(StartupFailure.describe(e).startsWith("portcullis.oidc.delegates must hold SPIFFE IDs"),
                StartupFailure.describe(e));
    }

    private static OidcDelegatesConfig delegates(Map<String, Object> properties) {
        try (ApplicationContext context = ApplicationContext.builder()
                .properties(properties)
                .environmentPropertySource(false)
                .deduceEnvironment(false)
                .banner(false)
                .start()) {
            return context.getBean(OidcDelegatesConfig.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"issuer-url", "audience", "ca-file", "identity-template"})
    void missingRequiredKeyStopsStartupNamingIt(String key) {
        Map<String, Object> properties = new HashMap<>(required());
        properties.remove(PREFIX + key);

        RuntimeException e = assertThrows(RuntimeException.class, () -> issuers(properties));

        assertEquals(PREFIX + key + " is required", StartupFailure.describe(e).split(":")[0]);
    }

    @Test
    void valueOutOfRangeStopsStartupNamingTheKey() {
        Map<String, Object> properties = new HashMap<>(required());
        properties.put(PREFIX + "clock-skew", "5m");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> issuers(properties).get(0).issuer());

        assertEquals(PREFIX + "clock-skew must be between PT0S and PT1M", e.getMessage());
    }

    @Test
    void unreadableCaFileStopsStartupNamingTheKey() throws Exception {
        Map<String, Object> properties = new HashMap<>(required());
        properties.put(PREFIX + "ca-file", Files.writeString(dir.resolve("not-pem"), "nothing").toString());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> issuers(properties).get(0).issuer());

        assertEquals(PREFIX + "ca-file is not a readable PEM certificate bundle: " + dir.resolve("not-pem"), e.getMessage());
    }

    @Test
    void plainHttpIssuerUrlStopsStartupNamingTheKey() {
        Map<String, Object> properties = new HashMap<>(required());
        properties.put(PREFIX + "issuer-url", "http://token.actions.githubusercontent.com");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> issuers(properties).get(0).issuer());

        assertEquals(PREFIX + "issuer-url must be an https URL with a host and no user info, query or fragment", e.getMessage());
    }

    /** The issuers a gateway started with {@code properties} binds, as its factory gets them. */
    private static List<OidcIssuerConfig> issuers(Map<String, Object> properties) {
        try (ApplicationContext context = ApplicationContext.builder()
                .properties(properties)
                .environmentPropertySource(false)
                .deduceEnvironment(false)
                .banner(false)
                .start()) {
            return List.copyOf(context.getBeansOfType(OidcIssuerConfig.class));
        }
    }
}
