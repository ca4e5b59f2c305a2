package dev.portcullis.cli.dev.issuer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.oidc.IdentityTemplate;
import dev.portcullis.runtime.oidc.OidcIssuer;
import dev.portcullis.runtime.oidc.OidcTokenVerifier;
import dev.portcullis.runtime.oidc.TokenRefusedException;
import dev.portcullis.runtime.oidc.VerifiedToken;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev issuer as the gateway's real verifier sees it, over HTTPS on loopback with the dev CA:
 * its tokens verify, and its key and URL survive a restart.
 */
class DevIssuerTest {
    private static final CommitSha COMMIT = new CommitSha("0123456789abcdef0123456789abcdef01234567");
    private static final GitRef MAIN = new GitRef("refs/heads/main");

    @TempDir
    Path dir;

    private DevPki pki() {
        DevPki pki = new DevPki(dir.resolve("pki"));
        pki.ensure(Clock.systemUTC());
        return pki;
    }

    private static OidcTokenVerifier verifierOf(DevIssuer issuer, DevPki pki) {
        return new OidcTokenVerifier(List.of(OidcIssuer.builder(DevIssuer.NAME, URI.create(issuer.url()), DevIssuer.AUDIENCE,
                new IdentityTemplate(DevIssuer.IDENTITY_TEMPLATE), OidcIssuer.readCaBundle(pki.caFile())).fetchTimeout(DevIssuer.FETCH_TIMEOUT).build()),
                Clock.systemUTC());
    }

    @Test
    void aDevTokenVerifiesAsTheDemoRepositoryAtItsCommitAndRef() {
        DevPki pki = pki();
        try (DevIssuer issuer = DevIssuer.start(dir, pki, Clock.systemUTC())) {
            String token = issuer.tokens().sign(issuer.tokens().github(COMMIT, MAIN));

            VerifiedToken verified = (VerifiedToken) verifierOf(issuer, pki).verify(token);

            assertEquals("spiffe://portcullis.dev/ci/github/portcullis-dev/example", verified.identity().value());
            assertEquals(COMMIT.value(), verified.commit().value());
            assertEquals(MAIN.value(), verified.ref().value());
        }
    }

    @Test
    void aTokenMintedBeforeARestartVerifiesAfterIt() {
        DevPki pki = pki();
        String token;
        try (DevIssuer first = DevIssuer.start(dir, pki, Clock.systemUTC())) {
            token = first.tokens().sign(first.tokens().github(COMMIT, MAIN));
        }

        try (DevIssuer second = DevIssuer.start(dir, pki, Clock.systemUTC())) {
            VerifiedToken verified = (VerifiedToken) verifierOf(second, pki).verify(token);

            assertEquals(DevIssuer.NAME, verified.issuerName());
        }
    }

    @Test
    void aTokenNamingAnotherKeyIsRefusedUnknownKey() {
        DevPki pki = pki();
        try (DevIssuer issuer = DevIssuer.start(dir, pki, Clock.systemUTC())) {
            String token = issuer.tokens().signNaming("not-the-dev-key", issuer.tokens().github(COMMIT, MAIN));

            TokenRefusedException refused = assertThrows(TokenRefusedException.class, () -> verifierOf(issuer, pki).verify(token));

            assertEquals("TOKEN_UNKNOWN_KEY", refused.reason());
        }
    }
}
