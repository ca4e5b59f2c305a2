package dev.portcullis.audit.store;

import dev.portcullis.audit.chain.Checkpoint;
import dev.portcullis.audit.chain.StoredChain;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.audit.chain.SignedCheckpoint;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The append-only, hash-chained audit log. Implementations are safe to share between threads
 * and between service replicas using one database. Verification reads it as a {@link StoredChain}.
 */
public interface AuditStore extends StoredChain {

    /**
     * Appends {@code events} in order, atomically: all new ones are chained and stored, or none.
     * Events whose id is already stored (or repeated in the batch) are skipped.
     *
     * @throws dev.portcullis.runtime.error.DomainException UNAVAILABLE when the database cannot be reached
     */
    AppendResult append(List<AuditEvent> events);

    /**
     * Up to {@code limit} events matching {@code filter}, newest or oldest first, strictly after
     * the cursor sequence in that order (0 = from the start; for newest-first, 0 means from the head).
     */
    List<StoredEvent> query(EventFilter filter, boolean newestFirst, long afterSequence, int limit);

    /** Stores a chain-head checkpoint (the format signed before the Merkle tree). */
    void saveCheckpoint(Checkpoint checkpoint);

    /** Stores a signed tree checkpoint; one of a size already stored is left as it is. */
    void saveTreeCheckpoint(SignedCheckpoint checkpoint);

    /** The stored tree checkpoint of exactly {@code size} leaves, unverified. */
    Optional<SignedCheckpoint> treeCheckpointAt(long size);

    /**
     * Adds up to {@code maxLeaves} events stored before the Merkle tree existed to it, in one short
     * transaction under the chain head lock; returns how many stored events it still lacks.
     */
    long extendTree(int maxLeaves);

    /** The sequence of the event with {@code eventId}, when stored. */
    Optional<Long> sequenceOf(UUID eventId);

    /** Every actor that ever submitted a run (seeds the new-caller rule). */
    List<String> knownCallers();
}
