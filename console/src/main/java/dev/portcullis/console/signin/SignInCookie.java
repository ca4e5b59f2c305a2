package dev.portcullis.console.signin;

import static java.util.Objects.requireNonNull;

import dev.portcullis.console.signin.SignInRefusedException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * A pending sign-in kept in the browser rather than on the server: sealed with AES-256-GCM under a
 * key only this console holds (made at start, never written anywhere), so the browser can neither
 * read nor alter it, and the server holds nothing per pending sign-in: a flood of begun sign-ins
 * costs it no memory and cannot push out anyone else's. {@link #open} accepts a cookie only
 * while it is younger than {@link #LIFETIME} and only for the {@code state} sealed in it; the
 * callback clears the cookie, and the provider's authorization code is single-use, so a sign-in
 * completes once. Thread-safe.
 */
public final class SignInCookie {
    /** How long a sign-in may take, from the redirect to the provider to its callback. */
    public static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int MAX_COOKIE_CHARS = 2048;
    // binds the ciphertext to this use: the same key could seal nothing else that opens as a sign-in
    private static final byte[] ASSOCIATED = "portcullis-signin-v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKey key;
    private final Clock clock;

    public SignInCookie(SecretKey key, Clock clock) {
        this.key = requireNonNull(key, "key is null");
        this.clock = requireNonNull(clock, "clock is null");
        if (!"AES".equals(key.getAlgorithm()) || key.getEncoded() == null || key.getEncoded().length != 32) {
            throw new IllegalArgumentException("the sign-in key must be a 256-bit AES key");
        }
    }

    /** A fresh random 256-bit AES key, for one console's lifetime. */
    public static SecretKey randomKey() {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, RANDOM);
            return generator.generateKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no AES", e);
        }
    }

    /** The cookie value carrying {@code login}: base64url of a random IV and the AES-GCM ciphertext with its tag. */
    public String seal(PendingLogin login) {
        String plain = String.join("\n", login.state(), login.nonce(), login.codeVerifier(), login.returnTo(),
                login.freshLogin() ? "1" : "0", Long.toString(login.startedAt().toEpochMilli()));
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        byte[] sealed;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(ASSOCIATED);
            sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal the sign-in cookie", e);
        }
        byte[] out = new byte[IV_BYTES + sealed.length];
        System.arraycopy(iv, 0, out, 0, IV_BYTES);
        System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    /**
     * The pending sign-in sealed in {@code cookie}, for the callback that sent {@code state}.
     *
     * @throws SignInRefusedException {@code SIGNIN_MISSING} without a cookie, {@code SIGNIN_INVALID}
     *     when it was not sealed by this console or was altered, {@code SIGNIN_EXPIRED} when older
     *     than {@link #LIFETIME}, {@code STATE_MISMATCH} when it belongs to another sign-in
     */
    public PendingLogin open(Optional<String> cookie, String state) {
        requireNonNull(state, "state is null");
        String value = cookie.filter(c -> !c.isEmpty()).orElseThrow(() -> new SignInRefusedException(Reason.SIGNIN_MISSING));
        PendingLogin login = unseal(value);
        Instant now = clock.instant();
        if (!now.isBefore(login.startedAt().plus(LIFETIME)) || login.startedAt().isAfter(now.plus(Duration.ofMinutes(1)))) {
            throw new SignInRefusedException(Reason.SIGNIN_EXPIRED);
        }
        if (!MessageDigest.isEqual(login.state().getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8))) {
            throw new SignInRefusedException(Reason.STATE_MISMATCH);
        }
        return login;
    }

    private PendingLogin unseal(String value) {
        if (value.length() > MAX_COOKIE_CHARS) {
            throw new SignInRefusedException(Reason.SIGNIN_INVALID);
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new SignInRefusedException(Reason.SIGNIN_INVALID, e);
        }
        if (bytes.length <= IV_BYTES + TAG_BITS / 8) {
            throw new SignInRefusedException(Reason.SIGNIN_INVALID);
        }
        String plain;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
            cipher.updateAAD(ASSOCIATED);
            plain = new String(cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            // AEADBadTagException above all: altered, or sealed by another key (another console, an earlier start)
            throw new SignInRefusedException(Reason.SIGNIN_INVALID, e);
        }
        String[] fields = plain.split("\n", -1);
        if (fields.length != 6) {
            throw new SignInRefusedException(Reason.SIGNIN_INVALID);
        }
        try {
            return new PendingLogin(fields[0], fields[1], fields[2], fields[3], "1".equals(fields[4]),
                    Instant.ofEpochMilli(Long.parseLong(fields[5])));
        } catch (IllegalArgumentException e) {
            throw new SignInRefusedException(Reason.SIGNIN_INVALID, e);
        }
    }
}
