package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A source's shared secret: the HMAC key of GitHub and generic sources, the token of GitLab
 * ones. Never printed: {@link #toString()} reveals nothing. Immutable; thread-safe.
 */
public final class SourceSecret {
    /** Shortest secret accepted: shorter ones are guessable. */
    public static final int MIN_LENGTH = 16;

    private final byte[] value;

    /**
     * @throws IllegalArgumentException when shorter than {@value #MIN_LENGTH} bytes (the message
     *     never quotes it)
     */
    public SourceSecret(String value) {
        this.value = requireNonNull(value, "value is null").getBytes(StandardCharsets.UTF_8);
        if (this.value.length < MIN_LENGTH) {
            throw new IllegalArgumentException("a source secret must be at least " + MIN_LENGTH + " bytes");
        }
    }

    /** HMAC-SHA256 of {@code message} keyed with this secret. */
    public byte[] hmacSha256(byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(value, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no HmacSHA256", e);
        }
    }

    /**
     * True when {@code presented} is this secret, compared in time that depends on neither
     * where they differ nor their lengths (both sides are hashed first).
     */
    public boolean matches(String presented) {
        byte[] mine = hmacSha256(value);
        byte[] theirs = hmacSha256(presented.getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(mine, theirs);
    }

    @Override
    public String toString() {
        return "SourceSecret[redacted]";
    }
}
