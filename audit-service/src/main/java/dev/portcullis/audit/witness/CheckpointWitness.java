package dev.portcullis.audit.witness;

import dev.portcullis.audit.chain.SignedCheckpoint;
import java.io.IOException;
import java.util.List;

/**
 * A party outside the database's control that keeps the log's checkpoints: given a checkpoint
 * and a consistency proof from the size it holds, it keeps the new one or says why not.
 * Implementations are thread-safe and block for at most their timeout.
 */
public interface CheckpointWitness {

    /** The witness's stable name in the publication state, logs and alerts; 1-128 characters, no secret in it. */
    String name();

    /**
     * Offers {@code checkpoint} as extending the tree of {@code oldSize} the witness is believed to
     * hold, with the RFC 9162 consistency {@code proof} between the two.
     *
     * @throws IOException when the witness cannot be reached, does not answer in time or answers
     *     something other than a cosignature, a conflict or a rejected proof
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    WitnessAnswer submit(long oldSize, List<byte[]> proof, SignedCheckpoint checkpoint) throws IOException, InterruptedException;

    /** What a witness said about a checkpoint. */
    sealed interface WitnessAnswer {
        /**
         * It verified and now holds the checkpoint; {@code cosignatures} are the ones checked with
         * the keys configured for the witness (empty when none is configured).
         */
        record Cosigned(List<Cosignature> cosignatures) implements WitnessAnswer {
            public Cosigned {
                cosignatures = List.copyOf(cosignatures);
            }
        }

        /** It holds a checkpoint of {@code witnessSize}, not the old size offered. */
        record Conflict(long witnessSize) implements WitnessAnswer {}

        /** The proof does not lead from the checkpoint it holds to this one: the log it saw was changed. */
        record ProofRejected() implements WitnessAnswer {}
    }
}
