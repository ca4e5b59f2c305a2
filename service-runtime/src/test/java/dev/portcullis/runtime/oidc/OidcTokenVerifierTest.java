package dev.portcullis.runtime.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.testing.MutableClock;
import dev.portcullis.runtime.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OidcTokenVerifierTest {
    private static final String GITHUB_TEMPLATE = "spiffe://example.org/ci/github/{repository}";
    private static final String GITLAB_TEMPLATE = "spiffe://example.org/ci/gitlab/{project_path}";
    private static final Instant START = Instant.parse("2026-03-04T10:00:00Z");

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
    void validGitHubTokenGivesIdentityCommitAndRef() {
        OidcTokenVerifier verifier = github();

        VerifiedToken verified = (VerifiedToken) verifier.verify(Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));

        assertEquals("github", verified.issuerName());
        assertEquals("spiffe://example.org/ci/github/acme/infra-live", verified.identity().value());
        assertEquals(Tokens.SHA, verified.commit().value());
        assertEquals("refs/heads/main", verified.ref().value());
        assertEquals(START.plus(Duration.ofMinutes(10)), verified.expiresAt());
        assertEquals(Map.of("repository_id", "123", "repository_owner_id", "4242"), verified.immutableIds());
        assertEquals("prod", verified.claims().get("environment"));
        assertEquals(TestIssuer.AUDIENCE, verified.claims().get("aud"));
        assertEquals(Long.toString(START.getEpochSecond()), verified.claims().get("iat"));
    }

    @Test
    void validGitLabBranchTokenGetsAFullBranchRef() {
        OidcTokenVerifier verifier = verifier(issuer.settings("gitlab", pki, GITLAB_TEMPLATE));

        VerifiedToken verified = (VerifiedToken) verifier.verify(Tokens.sign(Tokens.gitlab(issuer.url(), clock.instant()), TestIssuer.FIRST_KEY));

        assertEquals("spiffe://example.org/ci/gitlab/acme/infra-live", verified.identity().value());
        assertEquals("refs/heads/main", verified.ref().value());
        assertEquals(Map.of("project_id", "22", "namespace_id", "72"), verified.immutableIds());
    }

    @Test
    void validGitLabTagTokenGetsAFullTagRef() {
        OidcTokenVerifier verifier = verifier(issuer.settings("gitlab", pki, GITLAB_TEMPLATE));
        JWTClaimsSet.Builder claims = Tokens.gitlab(issuer.url(), clock.instant()).claim("ref", "v1.2.0").claim("ref_type", "tag");

        VerifiedToken verified = (VerifiedToken) verifier.verify(Tokens.sign(claims, TestIssuer.FIRST_KEY));

        assertEquals("refs/tags/v1.2.0", verified.ref().value());
    }

    @Test
    void gitLabRefWithoutRefTypeIsRefused() {
        OidcTokenVerifier verifier = verifier(issuer.settings("gitlab", pki, GITLAB_TEMPLATE));
        JWTClaimsSet.Builder claims = Tokens.gitlab(issuer.url(), clock.instant()).claim("ref_type", null);

        assertEquals(TokenRefusal.TOKEN_CLAIMS, refusal(verifier, Tokens.sign(claims, TestIssuer.FIRST_KEY)));
    }

    @Test
    void fullRefDisagreeingWithRefTypeIsRefused() {
        JWTClaimsSet.Builder claims = githubClaims().claim("ref", "refs/heads/main").claim("ref_type", "tag");

        assertEquals(TokenRefusal.TOKEN_CLAIMS, refusal(github(), Tokens.sign(claims, TestIssuer.FIRST_KEY)));
    }

    @Test
    void es256TokenVerifiesWithAnEcKey() {
        issuer.publish(TestIssuer.FIRST_KEY, TestIssuer.EC_KEY);

        VerifiedToken verified = (VerifiedToken) github().verify(Tokens.sign(githubClaims(), TestIssuer.EC_KEY));

        assertEquals("spiffe://example.org/ci/github/acme/infra-live", verified.identity().value());
    }

    @Test
    void algNoneIsRefused() {
        String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"first\"}").toString();
        String token = header + "." + Base64URL.encode(githubClaims().build().toString()) + ".";

        assertEquals(TokenRefusal.TOKEN_ALGORITHM, refusal(github(), token));
    }

    @Test
    void hs256SignedWithTheIssuersPublicKeyIsRefused() throws Exception {
        OidcTokenVerifier verifier = github();
        verifier.verify(Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY)); // the key set is fetched and cached
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("first").build(), githubClaims().build());
        forged.sign(new MACSigner(TestIssuer.FIRST_KEY.toRSAPublicKey().getEncoded()));

        assertEquals(TokenRefusal.TOKEN_ALGORITHM, refusal(verifier, forged.serialize()));
    }

    @Test
    void rs256HeaderNamingAnEcKeyIsRefused() {
        issuer.publish(TestIssuer.FIRST_KEY, TestIssuer.EC_KEY);

        String token = Tokens.signNaming("ec", githubClaims(), TestIssuer.FIRST_KEY);

        assertEquals(TokenRefusal.TOKEN_ALGORITHM, refusal(github(), token));
    }

    @Test
    void notAJwsIsMalformed() {
        assertEquals(TokenRefusal.TOKEN_MALFORMED, refusal(github(), "not a token"));
    }

    @Test
    void deeplyNestedHeaderIsMalformed() {
        String header = Base64URL.encode("{\"alg\":" + "[".repeat(5000) + "]".repeat(5000) + "}").toString();
        String token = header + "." + Base64URL.encode(githubClaims().build().toString()) + ".c2ln";

        assertEquals(TokenRefusal.TOKEN_MALFORMED, refusal(verifier(issuer.settings("github", pki, GITHUB_TEMPLATE)
                .maxTokenBytes(64 * 1024)), token));
    }

    @Test
    void numberBeyondTheRangeOfADoubleIsMalformed() throws Exception {
        String claims = githubClaims().build().toString();
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("first").build(),
                new Payload(claims.substring(0, claims.length() - 1) + ",\"huge\":1e99999,\"tiny\":-1e99999}"));
        jws.sign(new RSASSASigner(TestIssuer.FIRST_KEY));

        assertEquals(TokenRefusal.TOKEN_MALFORMED, refusal(github(), jws.serialize()));
    }

    @Test
    void expiryBeyondTheRangeOfAnInstantIsRefused() {
        JWTClaimsSet.Builder claims = githubClaims().expirationTime(new Date(Long.MAX_VALUE));

        assertEquals(TokenRefusal.TOKEN_LIFETIME, refusal(github(), Tokens.sign(claims, TestIssuer.FIRST_KEY)));
    }

    @Test
    void unconfiguredIssuerIsRefused() {
        JWTClaimsSet.Builder claims = githubClaims().issuer("https://token.actions.githubusercontent.com");

        assertEquals(TokenRefusal.TOKEN_ISSUER, refusal(github(), Tokens.sign(claims, TestIssuer.FIRST_KEY)));
    }

    @Test
    void wrongAudienceIsRefused() {
        JWTClaimsSet.Builder claims = githubClaims().audience("https://sts.amazonaws.com");

        assertEquals(TokenRefusal.TOKEN_AUDIENCE, refusal(github(), Tokens.sign(claims, TestIssuer.FIRST_KEY)));
    }

    @Test
    void severalAudiencesAreRefusedEvenWithOursAmongThem() {
        JWTClaimsSet.Builder claims = githubClaims().audience(List.of(TestIssuer.AUDIENCE, "https://sts.amazonaws.com"));

        assertEquals(TokenRefusal.TOKEN_AUDIENCE, refusal(github(), Tokens.sign(claims, TestIssuer.FIRST_KEY)));
    }

    @Test
    void expiredTokenIsRefused() {
        String token = Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY);

        clock.advance(Duration.ofMinutes(10).plusSeconds(60));

        assertEquals(TokenRefusal.TOKEN_EXPIRED, refusal(github(), token));
    }

    @Test
    void expiryAllowsUpToSixtySecondsOfSkew() {
        String token = Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY);

        clock.advance(Duration.ofMinutes(10).plusSeconds(59));

        assertEquals(Tokens.SHA, ((VerifiedToken) github().verify(token)).commit().value());
    }

    @Test
    void notYetValidTokenIsRefused() {
        JWTClaimsSet.Builder claims = githubClaims().notBeforeTime(Date.from(START.plusSeconds(120)));

        assertEquals(TokenRefusal.TOKEN_NOT_YET_VALID, refusal(github(), Tokens.sign(claims, TestIssuer.FIRST_KEY)));
    }

    @Test
    void tokenIssuedFarInTheFutureIsRefused() {
        JWTClaimsSet.Builder claims = githubClaims().notBeforeTime(null)
                .issueTime(Date.from(START.plus(Duration.ofHours(1))))
                .expirationTime(Date.from(START.plus(Duration.ofMinutes(70))));

        assertEquals(TokenRefusal.TOKEN_ISSUED_IN_FUTURE, refusal(github(), Tokens.sign(claims, TestIssuer.FIRST_KEY)));
    }

    @Test
    void lifetimeLongerThanTheMaximumIsRefused() {
        JWTClaimsSet.Builder claims = githubClaims().expirationTime(Date.from(START.plus(Duration.ofHours(1)).plusSeconds(1)));

        assertEquals(TokenRefusal.TOKEN_LIFETIME, refusal(github(), Tokens.sign(claims, TestIssuer.FIRST_KEY)));
    }

    @Test
    void unknownKidIsRefusedAfterOneRefetch() {
        OidcTokenVerifier verifier = github();
        verifier.verify(Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));
        clock.advance(Duration.ofSeconds(61));

        TokenRefusal refusal = refusal(verifier, Tokens.signNaming("unknown", githubClaims(), TestIssuer.FIRST_KEY));

        assertEquals(TokenRefusal.TOKEN_UNKNOWN_KEY, refusal);
        assertEquals(2, issuer.jwksRequests());
    }

    @Test
    void secondUnknownKidWithinAMinuteDoesNotRefetch() {
        OidcTokenVerifier verifier = github();
        verifier.verify(Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));
        clock.advance(Duration.ofSeconds(61));
        refusal(verifier, Tokens.signNaming("unknown", githubClaims(), TestIssuer.FIRST_KEY));
        clock.advance(Duration.ofSeconds(59));

        TokenRefusal refusal = refusal(verifier, Tokens.signNaming("other-unknown", githubClaims(), TestIssuer.FIRST_KEY));

        assertEquals(TokenRefusal.TOKEN_UNKNOWN_KEY, refusal);
        assertEquals(2, issuer.jwksRequests());
    }

    @Test
    void concurrentUnknownKidsCauseOneRefetch() throws Exception {
        OidcTokenVerifier verifier = github();
        verifier.verify(Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));
        clock.advance(Duration.ofSeconds(61));
        List<String> tokens = IntStream.range(0, 8)
                .mapToObj(i -> Tokens.signNaming("unknown-" + i, githubClaims(), TestIssuer.FIRST_KEY)).toList();
        ExecutorService callers = Executors.newFixedThreadPool(tokens.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<TokenRefusal>> refusals = new ArrayList<>();

        try {
            for (String token : tokens) {
                refusals.add(callers.submit(() -> {
                    go.await();
                    return refusal(verifier, token);
                }));
            }
            go.countDown();
            for (Future<TokenRefusal> refusal : refusals) {
                assertEquals(TokenRefusal.TOKEN_UNKNOWN_KEY, refusal.get(30, TimeUnit.SECONDS));
            }
        } finally {
            callers.shutdownNow();
        }

        assertEquals(2, issuer.jwksRequests());
    }

    @Test
    void rotatedKeyVerifiesAfterARefetch() {
        OidcTokenVerifier verifier = github();
        verifier.verify(Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));
        issuer.publish(TestIssuer.SECOND_KEY);
        clock.advance(Duration.ofSeconds(61));

        VerifiedToken verified = (VerifiedToken) verifier.verify(Tokens.sign(githubClaims(), TestIssuer.SECOND_KEY));

        assertEquals(Tokens.SHA, verified.commit().value());
        assertEquals(2, issuer.jwksRequests());
    }

    @Test
    void withdrawnKeyStopsVerifyingOnceTheKeySetIsRefreshed() {
        OidcTokenVerifier verifier = github();
        verifier.verify(Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));
        issuer.publish(TestIssuer.SECOND_KEY);
        clock.advance(JwksCache.REFRESH_AFTER);

        TokenRefusal refusal = refusal(verifier, Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));

        assertEquals(TokenRefusal.TOKEN_UNKNOWN_KEY, refusal);
    }

    @Test
    void tamperedPayloadIsRefused() {
        String[] parts = Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY).split("\\.");
        String otherPayload = Base64URL.encode(githubClaims().claim("repository", "acme/payments").build().toString()).toString();

        String tampered = parts[0] + "." + otherPayload + "." + parts[2];

        assertEquals(TokenRefusal.TOKEN_SIGNATURE, refusal(github(), tampered));
    }

    @Test
    void oversizedTokenIsRefusedWithoutFetchingKeys() {
        JWTClaimsSet.Builder claims = githubClaims().claim("padding", "x".repeat(OidcIssuer.DEFAULT_MAX_TOKEN_BYTES));

        assertEquals(TokenRefusal.TOKEN_TOO_LARGE, refusal(github(), Tokens.sign(claims, TestIssuer.FIRST_KEY)));
        assertEquals(0, issuer.jwksRequests());
    }

    @Test
    void unreachableIssuerWithNoCachedKeyIsUnavailable() {
        OidcTokenVerifier verifier = github();
        issuer.close();

        TokenRefusedException refused = assertThrows(TokenRefusedException.class,
                () -> verifier.verify(Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY)));

        assertEquals(TokenRefusal.TOKEN_ISSUER_UNAVAILABLE, refused.refusal());
        assertEquals(DomainException.Kind.UNAVAILABLE, refused.kind());
    }

    @Test
    void cachedKeyStillVerifiesWhileTheIssuerIsDown() {
        OidcTokenVerifier verifier = github();
        verifier.verify(Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));
        issuer.close();
        clock.advance(Duration.ofHours(23));

        VerifiedToken verified = (VerifiedToken) verifier.verify(Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));

        assertEquals(Tokens.SHA, verified.commit().value());
    }

    @Test
    void cachedKeysAreDroppedWhenTheOutageOutlastsTheirBound() {
        OidcTokenVerifier verifier = github();
        verifier.verify(Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));
        issuer.close();
        clock.advance(OidcIssuer.DEFAULT_KEYS_KEPT_FOR);

        TokenRefusal refusal = refusal(verifier, Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));

        assertEquals(TokenRefusal.TOKEN_ISSUER_UNAVAILABLE, refusal);
    }

    @Test
    void discoveryDocumentNamingAnotherIssuerIsRefused() {
        issuer.discoveryNames("https://token.actions.githubusercontent.com");

        TokenRefusal refusal = refusal(github(), Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));

        assertEquals(TokenRefusal.TOKEN_ISSUER_UNAVAILABLE, refusal);
        assertEquals(0, issuer.jwksRequests());
    }

    @Test
    void discoveryDocumentNamingAPlainHttpKeySetIsRefused() {
        issuer.discoveryPointsAt(issuer.jwksUrl().toString().replace("https://", "http://"));

        TokenRefusal refusal = refusal(github(), Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));

        assertEquals(TokenRefusal.TOKEN_ISSUER_UNAVAILABLE, refusal);
        assertEquals(0, issuer.jwksRequests());
    }

    @Test
    void configuredJwksUrlIsUsedWithoutDiscovery() {
        issuer.discoveryNames("https://token.actions.githubusercontent.com");
        OidcTokenVerifier verifier = verifier(issuer.settings("github", pki, GITHUB_TEMPLATE).jwksUrl(issuer.jwksUrl()));

        VerifiedToken verified = (VerifiedToken) verifier.verify(Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));

        assertEquals(Tokens.SHA, verified.commit().value());
    }

    @Test
    void keySetLargerThanTheBoundIsNotTaken() {
        issuer.padKeySet(JwksCache.MAX_DOCUMENT_BYTES);

        TokenRefusal refusal = refusal(github(), Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));

        assertEquals(TokenRefusal.TOKEN_ISSUER_UNAVAILABLE, refusal);
    }

    @Test
    void issuerTlsIsTrustedOnlyThroughItsConfiguredCa(@TempDir Path otherDir) {
        TestPki other = TestPki.create(otherDir);
        OidcTokenVerifier verifier = verifier(issuer.settings("github", other, GITHUB_TEMPLATE));

        TokenRefusal refusal = refusal(verifier, Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));

        assertEquals(TokenRefusal.TOKEN_ISSUER_UNAVAILABLE, refusal);
    }

    @Test
    void claimValueThatWouldInjectIntoTheIdentityIsRefused() {
        JWTClaimsSet.Builder claims = githubClaims().claim("repository", "acme/../../human/alice");

        assertEquals(TokenRefusal.TOKEN_CLAIMS, refusal(github(), Tokens.sign(claims, TestIssuer.FIRST_KEY)));
    }

    @Test
    void missingTemplateClaimIsRefused() {
        JWTClaimsSet.Builder claims = githubClaims().claim("repository", null);

        assertEquals(TokenRefusal.TOKEN_CLAIMS, refusal(github(), Tokens.sign(claims, TestIssuer.FIRST_KEY)));
    }

    @Test
    void missingShaIsRefused() {
        JWTClaimsSet.Builder claims = githubClaims().claim("sha", null);

        assertEquals(TokenRefusal.TOKEN_CLAIMS, refusal(github(), Tokens.sign(claims, TestIssuer.FIRST_KEY)));
    }

    @Test
    void requiredImmutableIdMismatchIsRefused() {
        OidcTokenVerifier verifier = verifier(issuer.settings("github", pki, GITHUB_TEMPLATE)
                .requiredClaims(Map.of("repository_id", "999")));

        assertEquals(TokenRefusal.TOKEN_CLAIMS, refusal(verifier, Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY)));
    }

    @Test
    void requiredImmutableIdMatchIsAcceptedAndRecorded() {
        OidcTokenVerifier verifier = verifier(issuer.settings("github", pki, GITHUB_TEMPLATE)
                .requiredClaims(Map.of("repository_id", "123")));

        VerifiedToken verified = (VerifiedToken) verifier.verify(Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY));

        assertEquals("123", verified.immutableIds().get("repository_id"));
    }

    @Test
    void refusalCarriesTheUnverifiedClaimsMarkedUnverified() {
        JWTClaimsSet.Builder claims = githubClaims().audience("https://sts.amazonaws.com").jwtID("jti-1");

        TokenRefusedException refused = assertThrows(TokenRefusedException.class,
                () -> github().verify(Tokens.sign(claims, TestIssuer.FIRST_KEY)));

        assertEquals(Map.of("iss", issuer.url(), "sub", "repo:acme/infra-live:environment:prod",
                "aud", "https://sts.amazonaws.com", "repository", "acme/infra-live", "sha", Tokens.SHA,
                "ref", "refs/heads/main", "jti", "jti-1"), refused.unverifiedClaims().values());
        assertTrue(refused.unverifiedClaims().toString().startsWith("UnverifiedClaims[unverified, "));
    }

    @Test
    void noRefusalShowsTheTokenOrItsSignature(@TempDir Path otherDir) {
        OidcTokenVerifier verifier = github();
        OidcTokenVerifier distrusting = verifier(issuer.settings("github", TestPki.create(otherDir), GITHUB_TEMPLATE));
        Instant past = START.minus(Duration.ofMinutes(20));
        String rs256Header = Base64URL.encode("{\"alg\":\"RS256\",\"kid\":\"first\"}").toString();
        String[] valid = Tokens.sign(githubClaims(), TestIssuer.FIRST_KEY).split("\\.");
        Map<String, OidcTokenVerifier> tokens = Map.ofEntries(
                Map.entry(Tokens.sign(githubClaims().claim("padding", "x".repeat(9000)), TestIssuer.FIRST_KEY), verifier),
                Map.entry(rs256Header + "." + Base64URL.encode("not json") + "." + valid[2], verifier),
                Map.entry(hs256(githubClaims()), verifier),
                Map.entry(Tokens.sign(githubClaims().issuer("https://gitlab.com"), TestIssuer.FIRST_KEY), verifier),
                Map.entry(Tokens.signNaming("unknown", githubClaims(), TestIssuer.FIRST_KEY), verifier),
                Map.entry(valid[0] + "." + Base64URL.encode(githubClaims().jwtID("x").build().toString()) + "." + valid[2], verifier),
                Map.entry(Tokens.sign(githubClaims().audience("https://sts.amazonaws.com"), TestIssuer.FIRST_KEY), verifier),
                Map.entry(Tokens.sign(Tokens.github(issuer.url(), past).expirationTime(Date.from(START.minusSeconds(120))),
                        TestIssuer.FIRST_KEY), verifier),
                Map.entry(Tokens.sign(githubClaims().notBeforeTime(Date.from(START.plusSeconds(120))), TestIssuer.FIRST_KEY), verifier),
                Map.entry(Tokens.sign(githubClaims().notBeforeTime(null).issueTime(Date.from(START.plusSeconds(120))),
                        TestIssuer.FIRST_KEY), verifier),
                Map.entry(Tokens.sign(githubClaims().expirationTime(Date.from(START.plus(Duration.ofHours(2)))),
                        TestIssuer.FIRST_KEY), verifier),
                Map.entry(Tokens.sign(githubClaims().claim("sha", "not-a-sha"), TestIssuer.FIRST_KEY), verifier),
                Map.entry(Tokens.sign(githubClaims().jwtID("only-for-the-distrusting-verifier"), TestIssuer.FIRST_KEY), distrusting));
        Map<TokenRefusal, String> shownByRefusal = new EnumMap<>(TokenRefusal.class);
        Map<TokenRefusal, String> tokenByRefusal = new EnumMap<>(TokenRefusal.class);

        tokens.forEach((token, refusing) -> {
            TokenRefusedException refused = assertThrows(TokenRefusedException.class, () -> refusing.verify(token));
            shownByRefusal.put(refused.refusal(), refused.getMessage() + refused + refused.metadata() + refused.unverifiedClaims());
            tokenByRefusal.put(refused.refusal(), token);
        });

        assertEquals(EnumSet.allOf(TokenRefusal.class), shownByRefusal.keySet());
        shownByRefusal.forEach((refusal, shown) -> {
            String token = tokenByRefusal.get(refusal);
            assertFalse(shown.contains(token), "token shown by " + refusal);
            assertFalse(shown.contains(token.substring(token.lastIndexOf('.') + 1)), "signature shown by " + refusal);
            assertFalse(shown.contains(token.substring(0, token.indexOf('.'))), "header shown by " + refusal);
        });
    }

    private JWTClaimsSet.Builder githubClaims() {
        return Tokens.github(issuer.url(), clock.instant());
    }

    private OidcTokenVerifier github() {
        return verifier(issuer.settings("github", pki, GITHUB_TEMPLATE));
    }

    private OidcTokenVerifier verifier(OidcIssuer.Builder settings) {
        return new OidcTokenVerifier(List.of(settings.build()), clock);
    }

    private static TokenRefusal refusal(OidcTokenVerifier verifier, String token) {
        return assertThrows(TokenRefusedException.class, () -> verifier.verify(token)).refusal();
    }

    private static String hs256(JWTClaimsSet.Builder claims) {
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("first").build(), claims.build());
        try {
            forged.sign(new MACSigner(TestIssuer.FIRST_KEY.toRSAPublicKey().getEncoded()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return forged.serialize();
    }
}
