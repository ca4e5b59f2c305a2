package dev.portcullis.audit.witness;

import java.io.IOException;
import java.util.Optional;

/**
 * A witness that keeps every checkpoint it is given and can be read back (a write-once bucket),
 * rather than checking proofs itself: before it publishes there (and once at start), the publisher
 * proves each checkpoint extends the newest one the archive holds. Thread-safe; blocks for at most its timeout.
 */
public interface CheckpointArchive extends CheckpointWitness {

    /**
     * The newest checkpoint note kept for the log {@code origin}, unverified; empty when none. Only
     * checkpoints of at least {@code atLeastSize} leaves are listed, unless there is none, so the
     * read costs little however many are kept.
     *
     * @throws IOException when the archive cannot be read
     */
    Optional<String> newest(String origin, long atLeastSize) throws IOException, InterruptedException;
}
