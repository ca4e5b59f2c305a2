package dev.portcullis.audit.chain;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of verifying a range of the chain.
 *
 * @param firstBrokenSequence first sequence where the chain breaks; 0 when it holds
 * @param problem plain-words description of the first problem; empty when none
 * @param checkpoints the newest signed checkpoint, when there is one (0 or 1 element)
 * @param missingAfterCheckpoint events the newest checkpoint covers that are gone (tail truncation)
 */
public record VerificationReport(boolean intact, long checked, long firstBrokenSequence, String problem,
        List<Checkpoint> checkpoints, long missingAfterCheckpoint) {
    public VerificationReport {
        requireNonNull(problem, "problem is null");
        checkpoints = List.copyOf(checkpoints);
    }

    public Optional<Checkpoint> latestCheckpoint() {
        return checkpoints.stream().findFirst();
    }
}
