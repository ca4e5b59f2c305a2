package dev.portcullis.audit.chain;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A signed statement that the chain's event at {@code sequence} has {@code hash}: whatever
 * happens to the store later, an auditor holding the public key can tell whether events up to
 * here were altered, removed or the tail cut off.
 *
 * @param keyId SHA-256 of the signer's public key (X.509 SubjectPublicKeyInfo), lowercase hex
 */
public record Checkpoint(long sequence, String hash, Instant signedAt, byte[] signature, String keyId) {
    public Checkpoint {
        requireNonNull(hash, "hash is null");
        requireNonNull(signedAt, "signedAt is null");
        signature = signature.clone();
        requireNonNull(keyId, "keyId is null");
    }

    /** The bytes that are signed. */
    public static byte[] signedBytes(long sequence, String hash, Instant signedAt) {
        return ("portcullis-audit-checkpoint:v1\n" + sequence + "\n" + hash + "\n" + signedAt.toEpochMilli())
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }
}
