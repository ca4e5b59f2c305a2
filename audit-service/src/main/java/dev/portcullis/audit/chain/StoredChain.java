package dev.portcullis.audit.chain;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    /** The newest chain-head checkpoint signed before the Merkle tree existed, if any. */
    Optional<Checkpoint> latestCheckpoint();

    /** Leaves in the Merkle tree: the head sequence once events stored before the tree are added. */
    long treeSize();

    /** The stored hashes of {@code nodes} (leaves from the events); nodes not stored are absent. */
    Map<MerkleTree.Node, byte[]> treeNodes(Set<MerkleTree.Node> nodes);

    /** The signed tree checkpoints with {@code fromSize <= size <= toSize}, ascending, unverified. */
    List<SignedCheckpoint> treeCheckpoints(long fromSize, long toSize);

    /** The newest signed tree checkpoint, unverified. */
    Optional<SignedCheckpoint> latestTreeCheckpoint();
}
