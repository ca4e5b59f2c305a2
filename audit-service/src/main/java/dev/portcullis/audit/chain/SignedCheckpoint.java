package dev.portcullis.audit.chain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A checkpoint of the Merkle tree as the service signed it: the tree head and the signed note
 * that carries it (what auditors keep and what {@link CheckpointSigner#open} checks). Immutable.
 *
 * @param signedAt when it was signed (not part of the note; drives the checkpoint interval)
 */
public record SignedCheckpoint(TreeHead head, String note, Instant signedAt) {
    public SignedCheckpoint {
        requireNonNull(head, "head is null");
        requireNonNull(note, "note is null");
        requireNonNull(signedAt, "signedAt is null");
    }

    public long size() {
        return head.size();
    }
}
