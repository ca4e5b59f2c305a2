package dev.portcullis.audit.store;

import dev.portcullis.audit.chain.Checkpoint;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.runtime.audit.AuditEvent;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The append-only, hash-chained audit log. Implementations are safe to share between threads
 * and between service replicas using one database.
 */
public interface AuditStore {

    /**
     * Appends {@code events} in order, atomically: all new ones are chained and stored, or none.
     * Events whose id is already stored (or repeated in the batch) are skipped.
     *
     * @throws dev.portcullis.runtime.error.DomainException UNAVAILABLE when the database cannot be reached
     */
    AppendResult append(List<AuditEvent> events);

    /**
     * Feeds stored events with {@code from <= sequence <= to}, ascending, to {@code sink} until
     * it returns false. Streams; does not hold the range in memory.
     */
    void scan(long from, long to, Predicate<StoredEvent> sink);

    /**
     * Up to {@code limit} events matching {@code filter}, newest or oldest first, strictly after
     * the cursor sequence in that order (0 = from the start; for newest-first, 0 means from the head).
     */
    List<StoredEvent> query(EventFilter filter, boolean newestFirst, long afterSequence, int limit);

    /** The sequence of the newest stored event; 0 when empty. */
    long headSequence();

    /** The hash of the event at {@code sequence}; the genesis hash for 0; empty when absent. */
    Optional<String> hashAt(long sequence);

    /** Stores a signed checkpoint. */
    void saveCheckpoint(Checkpoint checkpoint);

    /** The newest checkpoint, if any. */
    Optional<Checkpoint> latestCheckpoint();

    /** Every actor that ever submitted a run (seeds the new-caller rule). */
    List<String> knownCallers();
}
