package dev.portcullis.gateway.run;

import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.identity.Credential;
import dev.portcullis.runtime.identity.StepUp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Step-up for deciding on a run: a person who approves or rejects through the web console must have
 * logged in recently (the token's {@code auth_time} within the issuer's {@code approval-max-login-age})
 * and, where the issuer requires it, with the required {@code amr} methods and an accepted {@code acr}.
 * A console session left open, or a token copied out of it, cannot approve once the login is old.
 * Callers with a client certificate or a CI token are not concerned.
 */
final class LoginStepUp {
    /** How far ahead of our clock a login may be dated: the issuers' largest clock skew. */
    private static final Duration SKEW = Duration.ofSeconds(60);

    private LoginStepUp() {}

    /**
     * @throws DomainException {@code DENIED} {@code LOGIN_TOO_OLD} (metadata {@code max_login_age}, ISO-8601)
     *     when the login is older than allowed, its time unknown or later than now (beyond 60 s of skew), {@code MFA_REQUIRED} when a required
     *     {@code amr} or an accepted {@code acr} is missing
     */
    static void require(Actor actor, Instant now) {
        if (!(actor.credential() instanceof Credential.DelegatedUser user)) {
            return;
        }
        StepUp stepUp = user.stepUp();
        Optional<Instant> loggedIn = user.authTime();
        // no auth_time says nothing about the login's age: fail closed; nor does one dated in the future,
        // which would read as a negative age and pass every maximum for as long as the token lives
        if (loggedIn.isEmpty() || loggedIn.get().isAfter(now.plus(SKEW))
                || Duration.between(loggedIn.get(), now).compareTo(stepUp.maxLoginAge()) > 0) {
            throw new DomainException(DomainException.Kind.DENIED, "LOGIN_TOO_OLD",
                    "deciding on a run needs a login within the last " + stepUp.maxLoginAge() + ": sign in again",
                    Map.of("max_login_age", stepUp.maxLoginAge().toString()));
        }
        boolean amr = user.amr().containsAll(stepUp.requiredAmr());
        boolean acr = stepUp.acceptedAcr().isEmpty() || user.acr().filter(stepUp.acceptedAcr()::contains).isPresent();
        if (!amr || !acr) {
            throw new DomainException(DomainException.Kind.DENIED, "MFA_REQUIRED",
                    "deciding on a run needs a login with multi-factor authentication: sign in again with it",
                    Map.of("required_amr", String.join(",", new TreeSet<>(stepUp.requiredAmr())),
                            "accepted_acr", String.join(",", new TreeSet<>(stepUp.acceptedAcr()))));
        }
    }
}
