package dev.portcullis.audit.chain;

import java.util.Optional;
import java.util.function.Predicate;

/**
 * The stored hash chain as verification reads it: the port {@link ChainVerification} depends on,
 * so that the chain's rules do not depend on the store that persists them. Implementations are
 * safe to share between threads.
 */
public interface StoredChain {

    /**
     * Feeds stored events with {@code from <= sequence <= to}, ascending, to {@code sink} until
     * it returns false. Streams; does not hold the range in memory.
     */
    void scan(long from, long to, Predicate<StoredEvent> sink);

    /** The sequence of the newest stored event; 0 when empty. */
    long headSequence();

    /** The hash of the event at {@code sequence}; the genesis hash for 0; empty when absent. */
    Optional<String> hashAt(long sequence);

    /** The newest checkpoint, if any. */
    Optional<Checkpoint> latestCheckpoint();
}
