package dev.portcullis.runtime.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.StepUp;
import dev.portcullis.runtime.testing.MutableClock;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.BearerTokens;
import dev.portcullis.runtime.transport.TokenAdmission;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** People's ID tokens from a human issuer (issue 23): what they must carry, what they give, and where they are admitted. */
class HumanTokenVerificationTest {
    private static final String HUMAN_TEMPLATE = "spiffe://example.org/human/{sub}";
    private static final Instant START = Instant.parse("2026-03-04T10:00:00Z");
    private static final SpiffeId CONSOLE = SpiffeId.parse("spiffe://example.org/console");

    @TempDir
    static Path pkiDir;
    private static TestPki pki;

    private final MutableClock clock = MutableClock.at(START);
    private TestIssuer issuer;

    @BeforeAll
    static void createPki() {
        pki = TestPki.create(pkiDir);
    }

    @BeforeEach
    void startIssuer() {
        issuer = TestIssuer.start(pki);
    }

    @AfterEach
    void stopIssuer() {
        issuer.close();
    }

    @Test
    void aPersonsTokenNeedsNoCommitRefOrJtiAndGivesTheirLoginWithTheIssuersStepUp() {
        StepUp stepUp = new StepUp(Duration.ofMinutes(5), Set.of("mfa"), Set.of());
        OidcTokenVerifier verifier = new OidcTokenVerifier(List.of(human().approvalStepUp(stepUp).build()), clock);

        Verified verified = verifier.verify(Tokens.sign(person("alice"), TestIssuer.FIRST_KEY));

        VerifiedLogin login = assertInstanceOfLogin(verified);
        assertEquals(SpiffeId.parse("spiffe://example.org/human/alice"), login.identity());
        assertEquals(List.of("pwd", "mfa"), login.amr());
        assertEquals(Long.toString(START.getEpochSecond()), login.claims().get("auth_time"));
        assertEquals(stepUp, login.stepUp());
    }

    @Test
    void anAmrThatIsNotAnArrayOfStringsRefusesTheToken() {
        OidcTokenVerifier verifier = new OidcTokenVerifier(List.of(human().build()), clock);

        TokenRefusedException refused = assertThrows(TokenRefusedException.class,
                () -> verifier.verify(Tokens.sign(person("alice").claim("amr", "mfa"), TestIssuer.FIRST_KEY)));

        assertEquals(TokenRefusal.TOKEN_CLAIMS, refused.refusal());
    }

    @Test
    void anAuthTimeThatIsNotANumberRefusesTheToken() {
        OidcTokenVerifier verifier = new OidcTokenVerifier(List.of(human().build()), clock);

        TokenRefusedException refused = assertThrows(TokenRefusedException.class,
                () -> verifier.verify(Tokens.sign(person("alice").claim("auth_time", "yesterday"), TestIssuer.FIRST_KEY)));

        assertEquals(TokenRefusal.TOKEN_CLAIMS, refused.refusal());
    }

    @Test
    void anEmailIsNoIdentityBecauseItsAtSignIsNoSpiffePathCharacter() {
        OidcTokenVerifier verifier = new OidcTokenVerifier(List.of(issuer.settings("corp", pki,
                "spiffe://example.org/human/{email}").kind(OidcIssuer.Kind.HUMAN).build()), clock);

        TokenRefusedException refused = assertThrows(TokenRefusedException.class,
                () -> verifier.verify(Tokens.sign(person("alice"), TestIssuer.FIRST_KEY)));

        assertEquals(TokenRefusal.TOKEN_CLAIMS, refused.refusal());
    }

    @Test
    void aHumanIssuerMustMapUnderHuman() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> issuer.settings("corp", pki,
                "spiffe://example.org/service/{sub}").kind(OidcIssuer.Kind.HUMAN).build());

        assertEquals("portcullis.oidc.issuers.corp.identity-template of a human issuer must map to spiffe://TD/human/...",
                refused.getMessage());
    }

    @Test
    void aCiIssuerMayNotMapUnderHuman() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> issuer.settings("github", pki, "spiffe://example.org/human/{repository}").build());

        assertEquals("portcullis.oidc.issuers.github.identity-template of a ci issuer must not map to spiffe://TD/human/...",
                refused.getMessage());
    }

    @Test
    void delegatesWithoutAHumanIssuerHaveEveryTokenRefused() {
        OidcIssuer ci = issuer.settings("github", pki, "spiffe://example.org/ci/github/{repository}").build();
        String person = Tokens.sign(person("alice"), TestIssuer.FIRST_KEY);

        TokenAdmission admission = OidcAdmission.delegatesOnly(List.of(ci), Set.of(CONSOLE), clock).orElseThrow();

        BearerTokens.Check check = admission.tokens().check(person);
        assertTrue(check instanceof BearerTokens.Refused refused && refused.reason().equals("TOKEN_ISSUER"), check.toString());
    }

    @Test
    void theAuditServiceAdmitsOnlyPeoplesTokensAndOnlyFromDelegates() {
        Optional<TokenAdmission> admission = OidcAdmission.delegatesOnly(List.of(human().build()), Set.of(CONSOLE), clock);

        assertEquals(false, admission.orElseThrow().ciTokens());
        assertEquals(Set.of(CONSOLE), admission.orElseThrow().delegates());
        assertEquals(Optional.empty(), OidcAdmission.delegatesOnly(List.of(human().build()), Set.of(), clock));
    }

    @Test
    void aGatewayWithOnlyAHumanIssuerStillRequiresClientCertificates() {
        Optional<TokenAdmission> admission = OidcAdmission.gateway(List.of(human().build()), Set.of(CONSOLE), clock);

        assertEquals(false, admission.orElseThrow().ciTokens());
    }

    private static VerifiedLogin assertInstanceOfLogin(Verified verified) {
        assertTrue(verified instanceof VerifiedLogin, verified.getClass().getName());
        return (VerifiedLogin) verified;
    }

    @Test
    void twoHumanIssuersWhoseIdentitiesCouldMeetAreRefused() {
        // the partner's user "alice" (or "corp/alice") would otherwise be corp's alice, with alice's roles
        OidcIssuer partner = partner("spiffe://example.org/human/{sub}");
        OidcIssuer nested = partner("spiffe://example.org/human/corp/{sub}");

        assertThrows(IllegalArgumentException.class, () -> new OidcTokenVerifier(List.of(human().build(), partner), clock));
        assertThrows(IllegalArgumentException.class, () -> new OidcTokenVerifier(List.of(human().build(), nested), clock));
    }

    @Test
    void twoHumanIssuersUnderDistinctPathsAreAccepted() {
        OidcIssuer corp = issuer.settings("corp", pki, "spiffe://example.org/human/corp/{sub}").kind(OidcIssuer.Kind.HUMAN).build();

        OidcTokenVerifier verifier = new OidcTokenVerifier(List.of(corp, partner("spiffe://example.org/human/partner/{sub}")), clock);

        assertEquals(SpiffeId.parse("spiffe://example.org/human/corp/alice"),
                assertInstanceOfLogin(verifier.verify(Tokens.sign(person("alice"), TestIssuer.FIRST_KEY))).identity());
    }

    private static OidcIssuer partner(String template) {
        return OidcIssuer.builder("partner", java.net.URI.create("https://partner.example"), TestIssuer.AUDIENCE,
                new IdentityTemplate(template), OidcIssuer.readCaBundle(pki.caFile())).kind(OidcIssuer.Kind.HUMAN).build();
    }

    private OidcIssuer.Builder human() {
        return issuer.settings("corp", pki, HUMAN_TEMPLATE).kind(OidcIssuer.Kind.HUMAN);
    }

    /** An ID token as an identity provider issues it at login: no jti, sha or ref. */
    private JWTClaimsSet.Builder person(String subject) {
        return new JWTClaimsSet.Builder()
                .issuer(issuer.url())
                .audience(TestIssuer.AUDIENCE)
                .subject(subject)
                .issueTime(Date.from(START))
                .expirationTime(Date.from(START.plus(Duration.ofMinutes(10))))
                .claim("auth_time", START.getEpochSecond())
                .claim("amr", List.of("pwd", "mfa"))
                .claim("email", subject + "@example.org");
    }
}
