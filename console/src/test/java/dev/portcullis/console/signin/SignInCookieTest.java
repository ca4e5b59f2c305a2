package dev.portcullis.console.signin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.console.signin.SignInRefusedException.Reason;
import dev.portcullis.runtime.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SignInCookieTest {
    private final MutableClock clock = MutableClock.at(Instant.parse("2026-03-04T10:00:00Z"));
    private final SignInCookie cookies = new SignInCookie(SignInCookie.randomKey(), clock);
    private final PendingLogin login = new PendingLogin("state-1", "nonce-1", "verifier-1", "/runs/r-1?x=1", true, clock.instant());

    @Test
    void aSealedSignInOpensForItsStateWithEveryField() {
        String cookie = cookies.seal(login);

        PendingLogin opened = cookies.open(Optional.of(cookie), "state-1");

        assertEquals(login, opened);
    }

    @Test
    void theCookieRevealsNothingOfTheSignIn() {
        String cookie = cookies.seal(login);

        String decoded = new String(Base64.getUrlDecoder().decode(cookie), java.nio.charset.StandardCharsets.ISO_8859_1);

        assertEquals(-1, decoded.indexOf("verifier-1"));
        assertEquals(-1, decoded.indexOf("nonce-1"));
    }

    @Test
    void aTamperedCookieIsRefused() {
        byte[] bytes = Base64.getUrlDecoder().decode(cookies.seal(login));
        bytes[bytes.length / 2] ^= 1;
        String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);

        Reason reason = assertThrows(SignInRefusedException.class, () -> cookies.open(Optional.of(tampered), "state-1")).reason();

        assertEquals(Reason.SIGNIN_INVALID, reason);
    }

    @Test
    void aCookieSealedByAnotherConsolesKeyIsRefused() {
        String foreign = new SignInCookie(SignInCookie.randomKey(), clock).seal(login);

        Reason reason = assertThrows(SignInRefusedException.class, () -> cookies.open(Optional.of(foreign), "state-1")).reason();

        assertEquals(Reason.SIGNIN_INVALID, reason);
    }

    @Test
    void aCookieOlderThanTenMinutesIsRefused() {
        String cookie = cookies.seal(login);

        clock.advance(SignInCookie.LIFETIME);

        Reason reason = assertThrows(SignInRefusedException.class, () -> cookies.open(Optional.of(cookie), "state-1")).reason();
        assertEquals(Reason.SIGNIN_EXPIRED, reason);
    }

    @Test
    void aCookieJustYoungerThanTenMinutesOpens() {
        String cookie = cookies.seal(login);

        clock.advance(SignInCookie.LIFETIME.minus(Duration.ofSeconds(1)));

        assertEquals("state-1", cookies.open(Optional.of(cookie), "state-1").state());
    }

    @Test
    void aCookieOfAnotherStateIsRefused() {
        String cookie = cookies.seal(login);

        Reason reason = assertThrows(SignInRefusedException.class, () -> cookies.open(Optional.of(cookie), "state-2")).reason();

        assertEquals(Reason.STATE_MISMATCH, reason);
    }

    @Test
    void noCookieIsRefused() {
        Reason reason = assertThrows(SignInRefusedException.class, () -> cookies.open(Optional.empty(), "state-1")).reason();

        assertEquals(Reason.SIGNIN_MISSING, reason);
    }

    @Test
    void aCookieThatIsNotBase64IsRefused() {
        Reason reason = assertThrows(SignInRefusedException.class, () -> cookies.open(Optional.of("%%%not-base64"), "state-1")).reason();

        assertEquals(Reason.SIGNIN_INVALID, reason);
    }
}
