package dev.portcullis.audit.witness;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable publication state of each witness. Thread-safe; shared by the replicas of one
 * database.
 */
public interface WitnessStore {

    /** The state of {@code sink}; empty when nothing was ever published to it. */
    Optional<WitnessCursor> cursor(String sink);

    /**
     * Stores {@code cursor}, replacing the sink's state.
     *
     * @throws dev.portcullis.runtime.error.DomainException UNAVAILABLE when the database cannot be reached
     */
    void save(WitnessCursor cursor);

    /**
     * Keeps the verified {@code cosignatures} that witness {@code sink} returned for the checkpoint
     * of {@code treeSize}; a cosignature already kept (same witness, size and key) stays as it was.
     *
     * @throws dev.portcullis.runtime.error.DomainException UNAVAILABLE when the database cannot be reached
     */
    void saveCosignatures(String sink, long treeSize, List<Cosignature> cosignatures);

    /**
     * The verified cosignatures kept for the checkpoint of {@code treeSize}, by witness name.
     *
     * @throws dev.portcullis.runtime.error.DomainException UNAVAILABLE when the database cannot be reached
     */
    Map<String, List<Cosignature>> cosignatures(long treeSize);
}
