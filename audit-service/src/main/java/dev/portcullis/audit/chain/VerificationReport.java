package dev.portcullis.audit.chain;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of verifying a range of the chain.
 *
 * @param firstBrokenSequence first sequence where the log breaks; 0 when it holds. When the chain
 *     links but a signed checkpoint's root differs (a tail rewritten with a new valid chain), the
 *     first sequence that checkpoint covers and no earlier verified checkpoint does
 * @param problem plain-words description of the first problem; empty when none
 * @param checkpoints the newest chain-head checkpoint signed before the Merkle tree, when there is
 *     one (0 or 1 element)
 * @param missingAfterCheckpoint events a checkpoint covers that are gone (tail truncation)
 * @param treeCheckpoints the newest signed tree checkpoint that verified: signature valid and
 *     root equal to the tree of the events (0 or 1 element)
 * @param uncovered events after the newest verified checkpoint: no signature vouches for them yet
 */
public record VerificationReport(boolean intact, long checked, long firstBrokenSequence, String problem,
        List<Checkpoint> checkpoints, long missingAfterCheckpoint, List<SignedCheckpoint> treeCheckpoints, long uncovered) {
    public VerificationReport {
        requireNonNull(problem, "problem is null");
        checkpoints = List.copyOf(checkpoints);
        treeCheckpoints = List.copyOf(treeCheckpoints);
    }

    public Optional<Checkpoint> latestCheckpoint() {
        return checkpoints.stream().findFirst();
    }

    /** The newest tree checkpoint that verified. */
    public Optional<SignedCheckpoint> latestTreeCheckpoint() {
        return treeCheckpoints.stream().findFirst();
    }
}
