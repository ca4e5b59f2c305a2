package dev.portcullis.audit.witness;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.chain.SignedNote;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A witness's Ed25519 cosigning key (C2SP tlog-cosignature, {@code cosignature/v1}), given in the
 * C2SP signed-note verifier-key form {@code NAME+KEYHASH+base64(0x04 || 32-byte public key)}, where
 * {@code KEYHASH} is the 8 hex digits of the key id {@code SHA-256(NAME || 0x0A || 0x04 || key)[:4]}.
 * It checks a cosignature line over a checkpoint: an Ed25519 signature, under that name and key id,
 * of {@code cosignature/v1\ntime T\n} followed by the checkpoint's note text, carried as the
 * 8-byte big-endian timestamp {@code T} and the 64-byte signature. Immutable and thread-safe;
 * {@link #toString()} shows the verifier key, which is public.
 */
public final class CosignerKey {
    /** The signature type of an Ed25519 cosignature/v1 key in the signed-note verifier-key form. */
    static final byte COSIGNATURE_V1 = 0x04;
    // the DER prefix of an X.509 SubjectPublicKeyInfo holding a raw Ed25519 key (RFC 8410)
    private static final byte[] X509_ED25519 = HexFormat.of().parseHex("302a300506032b6570032100");

    private final String verifierKey;
    private final String name;
    private final byte[] keyId;
    private final PublicKey publicKey;

    private CosignerKey(String verifierKey, String name, byte[] keyId, PublicKey publicKey) {
        this.verifierKey = verifierKey;
        this.name = name;
        this.keyId = keyId;
        this.publicKey = publicKey;
    }

    /**
     * Parses a verifier key {@code NAME+KEYHASH+BASE64}.
     *
     * @throws IllegalArgumentException when it is not that form, not an Ed25519 cosignature/v1 key
     *     (type 0x04 and 32 bytes), or its key hash is not the one its name and key give
     */
    public static CosignerKey parse(String verifierKey) {
        String[] parts = requireNonNull(verifierKey, "verifierKey is null").strip().split("\\+", 3); // base64 may hold a +
        if (parts.length != 3 || parts[0].isEmpty() || parts[0].chars().anyMatch(c -> Character.isWhitespace(c) || c < 0x21)
                || !parts[1].matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException("a verifier key is NAME+KEYHASH+BASE64, the hash 8 lowercase hex digits");
        }
        byte[] material;
        try {
            material = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a verifier key's key material is standard base64");
        }
        if (material.length != 33 || material[0] != COSIGNATURE_V1) {
            throw new IllegalArgumentException("a witness's verifier key is of type 0x04 (Ed25519 cosignature/v1) with a 32-byte key");
        }
        byte[] raw = Arrays.copyOfRange(material, 1, 33);
        byte[] keyId = SignedNote.keyId(parts[0], COSIGNATURE_V1, raw);
        if (!HexFormat.of().formatHex(keyId).equals(parts[1])) {
            throw new IllegalArgumentException("a verifier key's hash does not match its name and key");
        }
        byte[] encoded = Arrays.copyOf(X509_ED25519, X509_ED25519.length + 32);
        System.arraycopy(raw, 0, encoded, X509_ED25519.length, 32);
        try {
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
            return new CosignerKey(String.join("+", parts), parts[0], keyId, key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("a verifier key holds no valid Ed25519 public key");
        }
    }

    /** The cosigner's name: the key name of its signature lines. */
    public String name() {
        return name;
    }

    /** True when {@code line} claims to be by this key (its name and key id): only those are checked. */
    boolean signed(SignedNote.Line line) {
        return line.keyName().equals(name) && Arrays.equals(line.keyId(), keyId);
    }

    /**
     * The time {@code line} says it was made, when it is a valid cosignature/v1 by this key over the
     * checkpoint whose note text (origin, size, root, each line ending in a newline) is
     * {@code checkpointText}; empty otherwise.
     */
    Optional<Instant> verify(String checkpointText, SignedNote.Line line) {
        byte[] blob = line.signature();
        if (!signed(line) || blob.length != 8 + 64) {
            return Optional.empty();
        }
        long timestamp = ByteBuffer.wrap(blob, 0, 8).getLong();
        if (timestamp < 0) {
            return Optional.empty(); // the spec bounds it by 2^63 - 1: a negative long is above that
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey);
            verifier.update(("cosignature/v1\ntime " + timestamp + "\n" + checkpointText).getBytes(StandardCharsets.UTF_8));
            return verifier.verify(blob, 8, 64) ? Optional.of(Instant.ofEpochSecond(timestamp)) : Optional.empty();
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CosignerKey key && key.verifierKey.equals(verifierKey);
    }

    @Override
    public int hashCode() {
        return verifierKey.hashCode();
    }

    @Override
    public String toString() {
        return verifierKey;
    }
}
