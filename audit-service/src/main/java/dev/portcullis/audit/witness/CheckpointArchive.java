package dev.portcullis.audit.witness;

import java.io.IOException;
import java.util.Optional;

/**
 * A witness that keeps every checkpoint it is given and can be read back (a write-once bucket),
 * rather than checking proofs itself: the publisher checks, at start, that the log extends the
 * newest checkpoint it holds. Thread-safe; blocks for at most its timeout.
 */
public interface CheckpointArchive extends CheckpointWitness {

    /**
     * The newest checkpoint note kept for the log {@code origin}, unverified; empty when none.
     *
     * @throws IOException when the archive cannot be read
     */
    Optional<String> newest(String origin) throws IOException, InterruptedException;
}
