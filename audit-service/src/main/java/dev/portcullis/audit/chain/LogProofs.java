package dev.portcullis.audit.chain;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.error.DomainException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Roots and RFC 9162 proofs computed from the stored tree: each reads the O(log n) nodes it needs
 * in one round trip and recomputes nothing else. Thread-safe; blocks on the store.
 */
public final class LogProofs {
    private final StoredChain store;

    public LogProofs(StoredChain store) {
        this.store = requireNonNull(store, "store is null");
    }

    /** An inclusion proof of the leaf at {@code index} (sequence index + 1) in the tree of {@code treeSize}. */
    public record Inclusion(long index, long treeSize, List<byte[]> hashes) {
        public Inclusion {
            hashes = List.copyOf(hashes);
        }
    }

    /** A consistency proof from the tree of {@code fromSize} to the tree of {@code toSize}. */
    public record Consistency(long fromSize, long toSize, List<byte[]> hashes) {
        public Consistency {
            hashes = List.copyOf(hashes);
        }
    }

    /** The root of the stored tree of {@code size} leaves. */
    public byte[] root(long size) {
        return compute(tree -> MerkleTree.root(size, tree));
    }

    /**
     * The proof that the event at {@code sequence} is in the tree of {@code treeSize} leaves.
     *
     * @throws DomainException INVALID (SEQUENCE_INVALID) for a sequence below 1; OUT_OF_RANGE
     *     (SEQUENCE_BEYOND_TREE, TREE_SIZE_BEYOND_LOG) when the event or tree is not there
     */
    public Inclusion inclusion(long sequence, long treeSize) {
        if (sequence < 1) {
            throw new DomainException(DomainException.Kind.INVALID, "SEQUENCE_INVALID", "sequences start at 1", Map.of());
        }
        checkSize(treeSize);
        if (sequence > treeSize) {
            throw new DomainException(DomainException.Kind.OUT_OF_RANGE, "SEQUENCE_BEYOND_TREE",
                    "the event is not in a tree of that size", Map.of("sequence", Long.toString(sequence),
                            "tree_size", Long.toString(treeSize)));
        }
        return new Inclusion(sequence - 1, treeSize, compute(tree -> MerkleTree.inclusionProof(sequence - 1, treeSize, tree)));
    }

    /**
     * The proof that the tree of {@code toSize} extends the tree of {@code fromSize}.
     *
     * @throws DomainException INVALID (SIZES_OUT_OF_ORDER) when from exceeds to; OUT_OF_RANGE
     *     (TREE_SIZE_BEYOND_LOG) when the log is smaller than {@code toSize}
     */
    public Consistency consistency(long fromSize, long toSize) {
        if (fromSize < 0 || fromSize > toSize) {
            throw new DomainException(DomainException.Kind.INVALID, "SIZES_OUT_OF_ORDER",
                    "from_size must not exceed to_size", Map.of("from_size", Long.toString(fromSize), "to_size", Long.toString(toSize)));
        }
        checkSize(toSize);
        return new Consistency(fromSize, toSize, compute(tree -> MerkleTree.consistencyProof(fromSize, toSize, tree)));
    }

    /**
     * True when the stored tree of {@code size} leaves with {@code root} provably extends the tree
     * {@code previous} signed with {@code key}; false when it does not or the note is not valid.
     */
    public boolean extendsCheckpoint(SignedCheckpoint previous, long size, byte[] root, PublicKey key) {
        Optional<TreeHead> head = CheckpointSigner.open(previous.note(), key);
        if (head.isEmpty() || head.get().size() > size) {
            return false;
        }
        if (head.get().size() == size) {
            return Arrays.equals(head.get().root(), root);
        }
        List<byte[]> proof = compute(tree -> MerkleTree.consistencyProof(head.get().size(), size, tree));
        return MerkleProofs.verifyConsistency(head.get().size(), size, proof, head.get().root(), root);
    }

    private void checkSize(long treeSize) {
        long available = store.treeSize();
        if (treeSize > available) {
            throw new DomainException(DomainException.Kind.OUT_OF_RANGE, "TREE_SIZE_BEYOND_LOG",
                    "the log holds fewer events than that tree size", Map.of("tree_size", Long.toString(treeSize),
                            "log_size", Long.toString(available)));
        }
    }

    private <T> T compute(Function<MerkleTree.TreeNodes, T> computation) {
        var needed = MerkleTree.nodesRead(computation::apply);
        return computation.apply(MerkleTree.fromMap(store.treeNodes(needed)));
    }
}
