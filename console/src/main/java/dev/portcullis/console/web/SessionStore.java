package dev.portcullis.console.web;

import static java.util.Objects.requireNonNull;

import dev.portcullis.console.signin.SignedInUser;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sessions, in memory: a session ends when left idle for {@code idleTimeout}, when
 * its ID token expires (the gateway would refuse it anyway), or at sign-out. Only the browser's
 * cookie names a session; the ID token never leaves the server. A restart signs everyone out.
 * Thread-safe.
 */
public final class SessionStore {
    /** The session cookie's name; {@code __Host-} makes browsers insist on Secure, Path=/ and no Domain. */
    public static final String COOKIE = "__Host-portcullis-session";

    private static final SecureRandom RANDOM = new SecureRandom();

    private record Entry(Session session, Instant lastSeen) {}

    private final Map<String, Entry> sessions = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration idleTimeout;

    public SessionStore(Clock clock, Duration idleTimeout) {
        this.clock = requireNonNull(clock, "clock is null");
        this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout is null");
    }

    /** Starts a session for {@code user} with fresh random id and CSRF token. */
    public Session open(SignedInUser user) {
        dropExpired();
        Session session = new Session(randomToken(), randomToken(), user, clock.instant());
        sessions.put(session.id(), new Entry(session, clock.instant()));
        return session;
    }

    /** The live session with id {@code id}, its idle time restarted; empty when unknown, idle too long or its token expired. */
    public Optional<Session> find(String id) {
        Entry entry = sessions.get(id);
        if (entry == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (expired(entry, now)) {
            sessions.remove(id, entry);
            return Optional.empty();
        }
        sessions.replace(id, entry, new Entry(entry.session(), now));
        return Optional.of(entry.session());
    }

    /** Ends session {@code id}. */
    public void close(String id) {
        sessions.remove(id);
    }

    private boolean expired(Entry entry, Instant now) {
        return !now.isBefore(entry.lastSeen().plus(idleTimeout)) || !now.isBefore(entry.session().user().idToken().expiresAt());
    }

    private void dropExpired() {
        Instant now = clock.instant();
        sessions.entrySet().removeIf(each -> expired(each.getValue(), now));
    }

    /** 256 random bits, base64url. */
    public static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
