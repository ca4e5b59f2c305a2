package dev.portcullis.audit.chain;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The RFC 9162 (section 2.1) Merkle tree over the audit log: leaf hash SHA-256(0x00 || leaf),
 * node hash SHA-256(0x01 || left || right), the root of n leaves split at the largest power of
 * two below n. The leaf of the event at sequence s (leaf index s - 1) is its 32-byte chain hash
 * ({@link ChainHash}), which already covers the event's canonical bytes, sequence and storage
 * time. Roots and proofs are computed from perfect subtrees read through {@link TreeNodes}, so a
 * store needs only the nodes an incremental append produces. Stateless and thread-safe.
 */
public final class MerkleTree {
    /** The root of the empty tree: SHA-256 of nothing. */
    public static final byte[] EMPTY_ROOT = sha256().digest();

    /** A perfect subtree: height h, index i covers leaves [i * 2^h, (i + 1) * 2^h). */
    public record Node(int height, long index) {
        public Node {
            if (height < 0 || height > 62 || index < 0) {
                throw new IllegalArgumentException("not a tree node");
            }
        }
    }

    /** Reads the hashes of perfect subtrees; height 0 is a leaf hash. */
    @FunctionalInterface
    public interface TreeNodes {
        byte[] hash(Node node);
    }

    private MerkleTree() {}

    /** SHA-256(0x00 || leaf). */
    public static byte[] leafHash(byte[] leaf) {
        MessageDigest sha = sha256();
        sha.update((byte) 0);
        return sha.digest(leaf);
    }

    /** The leaf hash of the event whose chain hash is {@code chainHashHex}. */
    public static byte[] eventLeafHash(String chainHashHex) {
        return leafHash(java.util.HexFormat.of().parseHex(chainHashHex));
    }

    /** SHA-256(0x01 || left || right). */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest sha = sha256();
        sha.update((byte) 1);
        sha.update(left);
        return sha.digest(right);
    }

    /** The root of the first {@code size} leaves. */
    public static byte[] root(long size, TreeNodes nodes) {
        return size == 0 ? EMPTY_ROOT.clone() : subtree(0, size, nodes);
    }

    /** RFC 9162 PATH(index, D[0:size]): the audit path of leaf {@code index}, bottom up. */
    public static List<byte[]> inclusionProof(long index, long size, TreeNodes nodes) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("leaf index outside the tree");
        }
        List<byte[]> proof = new ArrayList<>();
        path(index, 0, size, nodes, proof);
        return proof;
    }

    /** RFC 9162 PROOF(from, D[0:to]): empty when {@code from} is 0 or equals {@code to}. */
    public static List<byte[]> consistencyProof(long from, long to, TreeNodes nodes) {
        if (from < 0 || from > to) {
            throw new IllegalArgumentException("sizes out of order");
        }
        List<byte[]> proof = new ArrayList<>();
        if (from > 0 && from < to) {
            subproof(from, 0, to, true, nodes, proof);
        }
        return proof;
    }

    /**
     * The perfect subtrees {@code computation} reads, in the order it reads them, so a store can
     * fetch them in one round trip before computing for real. The access pattern of every
     * computation here depends on sizes and indices only, never on hash values.
     */
    public static Set<Node> nodesRead(java.util.function.Consumer<TreeNodes> computation) {
        Set<Node> read = new LinkedHashSet<>();
        byte[] placeholder = new byte[32];
        computation.accept(node -> {
            read.add(node);
            return placeholder;
        });
        return read;
    }

    /**
     * Node hashes computed from all leaf hashes held in memory (an export's), each perfect
     * subtree once, on first use. Not thread-safe.
     */
    public static TreeNodes inMemory(List<byte[]> leafHashes) {
        List<byte[]> leaves = List.copyOf(leafHashes);
        Map<Node, byte[]> computed = new HashMap<>();
        return new TreeNodes() {
            @Override
            public byte[] hash(Node node) {
                long width = 1L << node.height();
                if ((node.index() + 1) * width > leaves.size()) {
                    throw new IllegalArgumentException("the tree holds no such node");
                }
                if (node.height() == 0) {
                    return leaves.get((int) node.index());
                }
                byte[] known = computed.get(node);
                if (known == null) {
                    known = nodeHash(hash(new Node(node.height() - 1, node.index() * 2)),
                            hash(new Node(node.height() - 1, node.index() * 2 + 1)));
                    computed.put(node, known);
                }
                return known;
            }
        };
    }

    /** Node hashes from a map filled by a store; a missing node is a store error. */
    public static TreeNodes fromMap(Map<Node, byte[]> hashes) {
        Map<Node, byte[]> copy = new HashMap<>(hashes);
        return node -> {
            byte[] hash = copy.get(node);
            if (hash == null) {
                throw new IllegalStateException("tree node missing: height " + node.height() + " index " + node.index());
            }
            return hash;
        };
    }

    /** MTH(D[start:start+size]); every subtree the recursion meets is perfect or at the right edge. */
    private static byte[] subtree(long start, long size, TreeNodes nodes) {
        if (Long.bitCount(size) == 1 && start % size == 0) {
            int height = Long.numberOfTrailingZeros(size);
            return nodes.hash(new Node(height, start >>> height));
        }
        long k = split(size);
        return nodeHash(subtree(start, k, nodes), subtree(start + k, size - k, nodes));
    }

    private static void path(long index, long start, long size, TreeNodes nodes, List<byte[]> proof) {
        if (size == 1) {
            return;
        }
        long k = split(size);
        if (index < k) {
            path(index, start, k, nodes, proof);
            proof.add(subtree(start + k, size - k, nodes));
        } else {
            path(index - k, start + k, size - k, nodes, proof);
            proof.add(subtree(start, k, nodes));
        }
    }

    private static void subproof(long m, long start, long size, boolean whole, TreeNodes nodes, List<byte[]> proof) {
        if (m == size) {
            if (!whole) {
                proof.add(subtree(start, size, nodes));
            }
            return;
        }
        long k = split(size);
        if (m <= k) {
            subproof(m, start, k, whole, nodes, proof);
            proof.add(subtree(start + k, size - k, nodes));
        } else {
            subproof(m - k, start + k, size - k, false, nodes, proof);
            proof.add(subtree(start, k, nodes));
        }
    }

    /** The largest power of two smaller than {@code size} (size > 1). */
    static long split(long size) {
        return Long.highestOneBit(size - 1);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
