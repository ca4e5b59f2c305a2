package dev.portcullis.console.signin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.console.devidp.DevIdentityProvider;
import dev.portcullis.console.signin.SignInRefusedException.Reason;
import dev.portcullis.console.testing.ConsoleFixture;
import dev.portcullis.runtime.pki.PemFiles;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OidcSignInTest {
    @TempDir
    static Path dir;
    static ConsoleFixture fixture;
    static OidcSignIn signIn;

    @BeforeAll
    static void start() {
        fixture = ConsoleFixture.start(dir);
        signIn = new OidcSignIn(new OidcClient(URI.create(fixture.idp.url()), DevIdentityProvider.CLIENT_ID, Optional.empty(),
                URI.create(fixture.url + "/signin/callback"), List.of("openid"), Duration.ofSeconds(10)),
                PemFiles.trustingOnly(fixture.pki.caFile()), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static JWTClaimsSet.Builder claims(PendingLogin login) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(fixture.idp.url()).audience(DevIdentityProvider.CLIENT_ID).subject("approver")
                .claim("nonce", login.nonce()).issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofHours(1))));
    }

    private static String signed(RSAKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    private static Reason refusal(UnaryOperator<JWTClaimsSet.Builder> change) {
        PendingLogin login = signIn.begin("/runs", false).login();
        String token = signed(fixture.signingKey, change.apply(claims(login)).build());
        return assertThrows(SignInRefusedException.class, () -> signIn.verify(token, login)).reason();
    }

    @Test
    void aTokenOfTheProviderForThisSignInIsAccepted() {
        PendingLogin login = signIn.begin("/runs", false).login();

        SignedInUser user = signIn.verify(signed(fixture.signingKey, claims(login).build()), login);

        assertEquals("approver", user.subject());
    }

    @Test
    void aTokenSignedByAnotherKeyUnderTheProvidersKeyIdIsRefused() throws JOSEException {
        PendingLogin login = signIn.begin("/runs", false).login();
        RSAKey forger = new RSAKeyGenerator(2048).keyID(fixture.signingKey.getKeyID()).generate();
        String forged = signed(forger, claims(login).build());

        Reason reason = assertThrows(SignInRefusedException.class, () -> signIn.verify(forged, login)).reason();

        assertEquals(Reason.TOKEN_SIGNATURE, reason);
    }

    @Test
    void anHmacTokenIsRefused() throws JOSEException {
        PendingLogin login = signIn.begin("/runs", false).login();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(fixture.signingKey.getKeyID()).build(),
                claims(login).build());
        jwt.sign(new MACSigner("k".repeat(64)));

        Reason reason = assertThrows(SignInRefusedException.class, () -> signIn.verify(jwt.serialize(), login)).reason();

        assertEquals(Reason.TOKEN_MALFORMED, reason);
    }

    @Test
    void anExpiredTokenIsRefused() {
        Reason reason = refusal(claims -> claims.expirationTime(Date.from(Instant.now().minus(Duration.ofMinutes(5)))));

        assertEquals(Reason.TOKEN_EXPIRED, reason);
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        Reason reason = refusal(claims -> claims.audience("another-app"));

        assertEquals(Reason.TOKEN_AUDIENCE, reason);
    }

    @Test
    void aTokenForSeveralAudiencesWhoseAuthorizedPartyIsAnotherIsRefused() {
        Reason reason = refusal(claims -> claims.audience(List.of(DevIdentityProvider.CLIENT_ID, "another-app")).claim("azp", "another-app"));

        assertEquals(Reason.TOKEN_AUDIENCE, reason);
    }

    @Test
    void aTokenOfAnotherIssuerIsRefused() {
        Reason reason = refusal(claims -> claims.issuer("https://evil.example"));

        assertEquals(Reason.TOKEN_ISSUER, reason);
    }

    @Test
    void aTokenWithAnotherSignInsNonceIsRefused() {
        Reason reason = refusal(claims -> claims.claim("nonce", "replayed"));

        assertEquals(Reason.NONCE_MISMATCH, reason);
    }

    @Test
    void aFreshLoginIsRefusedATokenWhoseAuthenticationIsOlder() {
        PendingLogin login = signIn.begin("/runs", true).login();
        String token = signed(fixture.signingKey, claims(login)
                .claim("auth_time", Instant.now().minus(Duration.ofHours(2)).getEpochSecond()).build());

        Reason reason = assertThrows(SignInRefusedException.class, () -> signIn.verify(token, login)).reason();

        assertEquals(Reason.LOGIN_TOO_OLD, reason);
    }

    @Test
    void aFreshLoginIsRefusedATokenThatDoesNotSayWhenTheUserAuthenticated() {
        // iat is when the token was made, not when the user logged in: a provider that ignores prompt=login
        // and reuses its own session issues a new iat for an old login
        PendingLogin login = signIn.begin("/runs", true).login();
        String token = signed(fixture.signingKey, claims(login).build());

        Reason reason = assertThrows(SignInRefusedException.class, () -> signIn.verify(token, login)).reason();

        assertEquals(Reason.LOGIN_TOO_OLD, reason);
    }
}
