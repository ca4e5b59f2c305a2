package dev.portcullis.audit.chain;

import java.security.PublicKey;
import java.util.List;
import java.util.Optional;

/**
 * Checks a run of stored events, fed in sequence order, against the hash chain and the newest
 * signed checkpoint: every sequence present, every row linked to its predecessor, every hash
 * matching its content, the checkpoint's signature valid and its hash matching the row it
 * names, and nothing missing after it. Used by the service's Verify and by the offline
 * verifier alike. Not thread-safe: one per verification.
 */
public final class ChainVerifier {
    private long expectedSequence;
    private String previousHash;
    private long checked;
    private long firstBroken;
    private String problem = "";
    private Optional<Checkpoint> checkpoint = Optional.empty();
    private String hashAtCheckpoint = "";

    /**
     * @param fromSequence the first sequence that will be fed
     * @param previousHash the hash of the event before it ({@link ChainHash#GENESIS} for sequence 1)
     */
    public ChainVerifier(long fromSequence, String previousHash) {
        this.expectedSequence = fromSequence;
        this.previousHash = previousHash;
    }

    /** Also checks {@code checkpoint} (signature, and the row it names when that row is fed). */
    public ChainVerifier withCheckpoint(Checkpoint latest) {
        this.checkpoint = Optional.of(latest);
        return this;
    }

    /** Feeds the next row; returns false once the chain is broken (later rows change nothing). */
    public boolean accept(StoredEvent row) {
        if (firstBroken != 0) {
            return false;
        }
        if (row.sequence() != expectedSequence) {
            return broken(expectedSequence, row.sequence() > expectedSequence
                    ? "event " + expectedSequence + " is missing"
                    : "event " + row.sequence() + " appears out of order");
        }
        if (!row.previousHash().equals(previousHash)) {
            return broken(row.sequence(), "event " + row.sequence() + " does not link to the event before it");
        }
        if (!row.hashHolds()) {
            return broken(row.sequence(), "event " + row.sequence() + " does not match its hash: its content was changed");
        }
        checkpoint.filter(c -> c.sequence() == row.sequence()).ifPresent(c -> hashAtCheckpoint = row.hash());
        previousHash = row.hash();
        expectedSequence++;
        checked++;
        return true;
    }

    private boolean broken(long sequence, String what) {
        firstBroken = sequence;
        problem = what;
        return false;
    }

    /**
     * The report, given the newest sequence the store holds and the key checkpoints must be
     * signed with.
     */
    public VerificationReport finish(long newestStoredSequence, PublicKey checkpointKey) {
        long missing = 0;
        if (checkpoint.isPresent() && firstBroken == 0) {
            Checkpoint c = checkpoint.get();
            if (!CheckpointSigner.verify(c, checkpointKey)) {
                broken(c.sequence(), "the checkpoint at " + c.sequence() + " has an invalid signature");
            } else if (newestStoredSequence < c.sequence()) {
                missing = c.sequence() - newestStoredSequence;
                broken(newestStoredSequence + 1, missing + " event(s) covered by the checkpoint at " + c.sequence()
                        + " are missing: the tail was cut off");
            } else if (!hashAtCheckpoint.isEmpty() && !hashAtCheckpoint.equals(c.hash())) {
                broken(c.sequence(), "event " + c.sequence() + " differs from what the checkpoint signed");
            }
        }
        return new VerificationReport(firstBroken == 0, checked, firstBroken, problem,
                checkpoint.map(List::of).orElse(List.of()), missing);
    }
}
