package dev.portcullis.console.refusal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.portcullis.console.testing.Browser;
import dev.portcullis.console.testing.ConsoleFixture;
import dev.portcullis.console.testing.HostileProvider;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sign-ins the console refuses at its callback (issue 23, hostile tests) reach the audit log as
 * {@code auth.failed} with the reason, the source address and the callback's path, never its code or
 * state: the identity provider here answers with forged, expired and other-audience ID tokens.
 */
class SignInRefusalAuditTest {
    @TempDir
    static Path dir;
    private static HostileProvider provider;
    private static ConsoleFixture fixture;

    @BeforeAll
    static void start() {
        provider = HostileProvider.start(dir.resolve("hostile"));
        fixture = ConsoleFixture.start(dir.resolve("console"), Map.of("portcullis.console.oidc.issuer-url", provider.url(),
                "portcullis.console.oidc.ca-file", provider.caFile().toString()));
    }

    @AfterAll
    static void stop() {
        fixture.close();
        provider.close();
    }

    @Test
    void aForgedIdTokenAtTheCallbackIsRefusedAndAuditedWithTheReason() {
        HttpResponse<String> refused = signInWith(UnaryOperator.identity(), true);

        assertEquals(403, refused.statusCode());
        AuditEvent event = awaitEventWithReason("TOKEN_SIGNATURE");
        assertEquals(AuditAction.AUDIT_ACTION_AUTH_FAILED, event.getAction());
        assertEquals("/signin/callback", event.getResource().getId());
        assertTrue(event.getSourceAddress().startsWith("127.0.0.1:"), event.getSourceAddress());
        assertEquals("GET", event.getAttributesOrThrow("method"));
        for (String part : URI.create(lastCallback).getRawQuery().split("&")) {
            assertFalse(event.toString().contains(part.substring(part.indexOf('=') + 1)), "the callback's " + part + " is recorded");
        }
    }

    @Test
    void anExpiredIdTokenAtTheCallbackIsRefusedAndAudited() {
        Instant past = Instant.now().minus(Duration.ofHours(2));

        HttpResponse<String> refused = signInWith(claims -> claims.issueTime(Date.from(past))
                .expirationTime(Date.from(past.plus(Duration.ofMinutes(5)))), false);

        assertEquals(403, refused.statusCode());
        awaitEventWithReason("TOKEN_EXPIRED");
    }

    @Test
    void anIdTokenForAnotherAudienceAtTheCallbackIsRefusedAndAudited() {
        HttpResponse<String> refused = signInWith(claims -> claims.audience("another-application"), false);

        assertEquals(403, refused.statusCode());
        awaitEventWithReason("TOKEN_AUDIENCE");
    }

    @Test
    void aCallbackWithoutTheSignInCookieIsRefusedAndAudited() {
        Browser browser = fixture.browser();
        String authorization = browser.get(fixture.url + "/signin").headers().firstValue("Location").orElseThrow();
        Browser other = fixture.browser();

        HttpResponse<String> refused = other.get(provider.authorize(authorization));

        assertEquals(403, refused.statusCode());
        awaitEventWithReason("SIGNIN_MISSING");
    }

    private static volatile String lastCallback = "";

    /** A sign-in through the hostile provider, whose ID token is {@code tamper} applied to a valid one, {@code forged} or not. */
    private static HttpResponse<String> signInWith(UnaryOperator<JWTClaimsSet.Builder> tamper, boolean forged) {
        provider.answerWith(tamper, forged);
        Browser browser = fixture.browser();
        String authorization = browser.get(fixture.url + "/signin").headers().firstValue("Location").orElseThrow();
        lastCallback = provider.authorize(authorization);
        return browser.get(lastCallback);
    }

    private static AuditEvent awaitEventWithReason(String reason) {
        List<AuditEvent> found = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> fixture.gateway.appended().stream().filter(e -> e.getReason().equals(reason)).toList(),
                        events -> !events.isEmpty());
        assertEquals(1, found.size(), "events with reason " + reason);
        return found.get(0);
    }
}
