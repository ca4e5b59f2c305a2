package dev.portcullis.audit.chain;

import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Checks a run of stored events, fed in sequence order, against the hash chain, the Merkle tree's
 * signed checkpoints and the newest chain-head checkpoint signed before the tree: every sequence
 * present, every row linked to its predecessor, every hash matching its content, every tree
 * checkpoint's signature valid and its root equal to the tree of the events it covers, and
 * nothing missing after a checkpoint. Used by the service's Verify and by the offline verifier
 * alike. Not thread-safe: one per verification.
 */
public final class ChainVerifier {
    private long expectedSequence;
    private String previousHash;
    private long checked;
    private long firstBroken;
    private String problem = "";
    private Optional<Checkpoint> checkpoint = Optional.empty();
    private String hashAtCheckpoint = "";
    private Optional<CompactRange> tree = Optional.empty();
    private List<SignedCheckpoint> treeCheckpoints = List.of();
    private PublicKey treeKey;
    private int nextTreeCheckpoint;
    private long coveredSize;
    private Optional<SignedCheckpoint> newestVerified = Optional.empty();

    /**
     * @param fromSequence the first sequence that will be fed
     * @param previousHash the hash of the event before it ({@link ChainHash#GENESIS} for sequence 1)
     */
    public ChainVerifier(long fromSequence, String previousHash) {
        this.expectedSequence = fromSequence;
        this.previousHash = previousHash;
    }

    /** Also checks {@code latest}, a chain-head checkpoint (signature, and the row it names when that row is fed). */
    public ChainVerifier withCheckpoint(Checkpoint latest) {
        this.checkpoint = Optional.of(latest);
        return this;
    }

    /**
     * Also builds the Merkle tree of the fed events on top of {@code before} (the tree of the
     * events before the first one fed, trusted) and checks {@code checkpoints} (ascending, sizes
     * beyond {@code before}) with {@code key} as the events they cover go by.
     */
    public ChainVerifier withTree(CompactRange before, List<SignedCheckpoint> checkpoints, PublicKey key) {
        if (before.size() != expectedSequence - 1) {
            throw new IllegalArgumentException("the tree before the range must end where the range starts");
        }
        this.tree = Optional.of(before);
        this.treeCheckpoints = checkpoints.stream().filter(c -> c.size() > before.size()).toList();
        this.treeKey = key;
        this.coveredSize = before.size();
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
        if (tree.isPresent()) {
            tree.get().append(MerkleTree.eventLeafHash(row.hash()));
            return checkTreeCheckpoints(tree.get());
        }
        return true;
    }

    private boolean checkTreeCheckpoints(CompactRange range) {
        while (nextTreeCheckpoint < treeCheckpoints.size() && treeCheckpoints.get(nextTreeCheckpoint).size() == range.size()) {
            SignedCheckpoint signed = treeCheckpoints.get(nextTreeCheckpoint++);
            Optional<TreeHead> head = CheckpointSigner.open(signed.note(), treeKey);
            if (head.isEmpty() || head.get().size() != signed.size()) {
                return broken(signed.size(), "the checkpoint of " + signed.size() + " events has an invalid signature");
            }
            if (!Arrays.equals(head.get().root(), range.root())) {
                return broken(coveredSize + 1, "events " + (coveredSize + 1) + " to " + signed.size()
                        + " differ from what the checkpoint of " + signed.size() + " events signed: the log was rewritten");
            }
            coveredSize = signed.size();
            newestVerified = Optional.of(signed);
        }
        return true;
    }

    private boolean broken(long sequence, String what) {
        firstBroken = sequence;
        problem = what;
        return false;
    }

    /**
     * The report, given the newest sequence the store (or export) holds and the key checkpoints
     * must be signed with.
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
            } else if (!hashAtCheckpoint.isEmpty()) {
                coveredSize = Math.max(coveredSize, c.sequence());
            }
        }
        if (firstBroken == 0) {
            missing = Math.max(missing, checkTail(newestStoredSequence));
        }
        return new VerificationReport(firstBroken == 0, checked, firstBroken, problem,
                checkpoint.map(List::of).orElse(List.of()), missing, newestVerified.map(List::of).orElse(List.of()),
                Math.max(0, newestStoredSequence - coveredSize));
    }

    /** Checkpoints beyond the newest event: a valid one means events it covers were cut off. */
    private long checkTail(long newestStoredSequence) {
        for (int i = treeCheckpoints.size() - 1; i >= nextTreeCheckpoint; i--) {
            SignedCheckpoint signed = treeCheckpoints.get(i);
            if (signed.size() <= newestStoredSequence) {
                break;
            }
            Optional<TreeHead> head = CheckpointSigner.open(signed.note(), treeKey);
            if (head.isEmpty()) {
                broken(signed.size(), "the checkpoint of " + signed.size() + " events has an invalid signature");
                return 0;
            }
            long missing = signed.size() - newestStoredSequence;
            broken(newestStoredSequence + 1, missing + " event(s) covered by the checkpoint of " + signed.size()
                    + " events are missing: the tail was cut off");
            return missing;
        }
        return 0;
    }
}
