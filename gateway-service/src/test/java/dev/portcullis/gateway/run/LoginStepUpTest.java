package dev.portcullis.gateway.run;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.identity.Credential;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.identity.StepUp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Step-up for deciding on a run: a person's login through the console must be recent and as strong as the issuer asks. */
class LoginStepUpTest {
    private static final Instant NOW = Instant.parse("2026-03-04T10:00:00Z");
    private static final SpiffeId ALICE = SpiffeId.parse("spiffe://example.org/human/alice");
    private static final SpiffeId CONSOLE = SpiffeId.parse("spiffe://example.org/console");

    @Test
    void aLoginWithinTheMaximumAgeMayDecide() {
        Actor alice = person(NOW.minus(Duration.ofMinutes(15)), List.of(), "", new StepUp(Duration.ofMinutes(15), Set.of(), Set.of()));

        assertDoesNotThrow(() -> LoginStepUp.require(alice, NOW));
    }

    @Test
    void aLoginASecondOlderThanTheMaximumAgeIsTooOld() {
        Actor alice = person(NOW.minus(Duration.ofMinutes(15)).minusSeconds(1), List.of(), "",
                new StepUp(Duration.ofMinutes(15), Set.of(), Set.of()));

        DomainException refused = assertThrows(DomainException.class, () -> LoginStepUp.require(alice, NOW));

        assertEquals("LOGIN_TOO_OLD", refused.reason());
        assertEquals(Map.of("max_login_age", "PT15M"), refused.metadata());
    }

    @Test
    void aLoginDatedInTheFutureIsRefusedAsOfUnknownAge() {
        // a future auth_time would otherwise read as a negative age and pass every max-age check
        Actor alice = person(NOW.plus(Duration.ofDays(365)), List.of(), "", new StepUp(Duration.ofMinutes(15), Set.of(), Set.of()));

        DomainException refused = assertThrows(DomainException.class, () -> LoginStepUp.require(alice, NOW));

        assertEquals("LOGIN_TOO_OLD", refused.reason());
    }

    @Test
    void aLoginWithinTheClockSkewAheadMayDecide() {
        Actor alice = person(NOW.plusSeconds(60), List.of(), "", new StepUp(Duration.ofMinutes(15), Set.of(), Set.of()));

        assertDoesNotThrow(() -> LoginStepUp.require(alice, NOW));
    }

    @Test
    void anAcrOutsideTheAcceptedOnesRequiresMfa() {
        StepUp strong = new StepUp(Duration.ofMinutes(15), Set.of(), Set.of("phr", "phrh"));
        Actor alice = person(NOW, List.of("pwd"), "pwd-only", strong);

        DomainException refused = assertThrows(DomainException.class, () -> LoginStepUp.require(alice, NOW));

        assertEquals("MFA_REQUIRED", refused.reason());
        assertEquals("phr,phrh", refused.metadata().get("accepted_acr"));
    }

    @Test
    void anAcceptedAcrMayDecide() {
        StepUp strong = new StepUp(Duration.ofMinutes(15), Set.of(), Set.of("phr", "phrh"));

        assertDoesNotThrow(() -> LoginStepUp.require(person(NOW, List.of("hwk"), "phrh", strong), NOW));
    }

    @Test
    void aCallerWithAClientCertificateIsNotHeldToTheStepUp() {
        Actor certified = new Actor(ALICE, false, "127.0.0.1:1");

        assertDoesNotThrow(() -> LoginStepUp.require(certified, NOW));
    }

    private static Actor person(Instant loggedIn, List<String> amr, String acr, StepUp stepUp) {
        Map<String, String> claims = new HashMap<>(Map.of("auth_time", Long.toString(loggedIn.getEpochSecond())));
        if (!acr.isEmpty()) {
            claims.put("acr", acr);
        }
        return new Actor(ALICE, false, "127.0.0.1:1",
                new Credential.DelegatedUser("corp", CONSOLE, NOW.plus(Duration.ofMinutes(10)), claims, amr, stepUp));
    }
}
