package dev.portcullis.audit.witness;

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
}
