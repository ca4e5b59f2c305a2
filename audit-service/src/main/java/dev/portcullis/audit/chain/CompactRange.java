package dev.portcullis.audit.chain;

import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of a growing Merkle tree: the roots of the perfect subtrees that cover leaves
 * [0, size), largest first (one per set bit of size). Appending a leaf merges equal-height
 * subtrees and yields the new perfect nodes, so a store appends in O(log n) without recomputing
 * anything. Not thread-safe: one owner, e.g. the appender holding the chain head lock.
 */
public final class CompactRange {
    private final List<byte[]> hashes;
    private long size;

    private CompactRange(long size, List<byte[]> hashes) {
        this.size = size;
        this.hashes = new ArrayList<>(hashes);
    }

    /** An empty tree. */
    public static CompactRange empty() {
        return new CompactRange(0, List.of());
    }

    /** The range of a tree of {@code size} leaves, given its perfect subtree roots, largest first. */
    public static CompactRange of(long size, List<byte[]> hashes) {
        if (hashes.size() != Long.bitCount(size)) {
            throw new IllegalArgumentException("a tree of " + size + " leaves has " + Long.bitCount(size) + " edge subtrees");
        }
        return new CompactRange(size, hashes);
    }

    /** The perfect subtrees covering [0, size), largest first: what {@link #of} takes. */
    public static List<MerkleTree.Node> edge(long size) {
        List<MerkleTree.Node> nodes = new ArrayList<>();
        long start = 0;
        for (int height = 62; height >= 0; height--) {
            if ((size & (1L << height)) != 0) {
                nodes.add(new MerkleTree.Node(height, start >>> height));
                start += 1L << height;
            }
        }
        return nodes;
    }

    /** A stored node created by an append. */
    public record Created(MerkleTree.Node node, byte[] hash) {}

    /** Appends the leaf with {@code leafHash}; returns the perfect nodes of height 1 and up it completed. */
    public List<Created> append(byte[] leafHash) {
        List<Created> created = new ArrayList<>();
        byte[] hash = leafHash;
        long index = size;
        int height = 0;
        while ((index & 1) == 1) {
            hash = MerkleTree.nodeHash(hashes.remove(hashes.size() - 1), hash);
            index >>>= 1;
            height++;
            created.add(new Created(new MerkleTree.Node(height, index), hash));
        }
        hashes.add(hash);
        size++;
        return created;
    }

    public long size() {
        return size;
    }

    /** The perfect subtree roots, largest first: what {@link #of} takes to rebuild this range. */
    public List<byte[]> hashes() {
        return List.copyOf(hashes);
    }

    /** The root of the tree so far. */
    public byte[] root() {
        if (hashes.isEmpty()) {
            return MerkleTree.EMPTY_ROOT.clone();
        }
        byte[] root = hashes.get(hashes.size() - 1);
        for (int i = hashes.size() - 2; i >= 0; i--) {
            root = MerkleTree.nodeHash(hashes.get(i), root);
        }
        return root;
    }
}
