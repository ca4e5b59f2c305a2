package dev.portcullis.audit.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The tree, its proofs and their checks against published vectors and against a tree built the
 * naive way, straight from the RFC 9162 definitions, for every size up to 64.
 *
 * <p>Vectors: transparency-dev/merkle, proof/verify_test.go (the RFC 6962 test data also used by
 * Certificate Transparency and Trillian): eight leaves, the roots of every prefix, and inclusion
 * and consistency proofs between them.
 */
class MerkleTreeTest {
    private static final List<byte[]> VECTOR_LEAVES = hex("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
            "606162636465666768696a6b6c6d6e6f");
    private static final List<byte[]> VECTOR_ROOTS = hex(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    /** (leaf index, tree size, proof). */
    private record Vector(long first, long second, List<byte[]> proof) {}

    private static final List<Vector> INCLUSION_VECTORS = List.of(
            new Vector(0, 8, hex("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
            new Vector(5, 8, hex("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
            new Vector(2, 3, hex("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
            new Vector(1, 5, hex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")));

    private static final List<Vector> CONSISTENCY_VECTORS = List.of(
            new Vector(1, 8, hex("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
            new Vector(6, 8, hex("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
            new Vector(2, 5, hex("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
            new Vector(6, 7, hex("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")));

    @Test
    void rootsOfThePublishedLeavesMatchThePublishedRoots() {
        CompactRange range = CompactRange.empty();
        for (int size = 1; size <= 8; size++) {
            range.append(MerkleTree.leafHash(VECTOR_LEAVES.get(size - 1)));

            assertArrayEquals(VECTOR_ROOTS.get(size - 1), range.root(), "size " + size);
            assertArrayEquals(VECTOR_ROOTS.get(size - 1), MerkleTree.root(size, naiveNodes(leafHashes(VECTOR_LEAVES))));
        }
    }

    @Test
    void inclusionProofsMatchThePublishedOnesAndVerify() {
        List<byte[]> leaves = leafHashes(VECTOR_LEAVES);
        for (Vector vector : INCLUSION_VECTORS) {
            List<byte[]> proof = MerkleTree.inclusionProof(vector.first(), vector.second(), naiveNodes(leaves));

            assertEquals(hex(vector.proof()), hex(proof), vector.toString());
            assertTrue(MerkleProofs.verifyInclusion(vector.first(), vector.second(), leaves.get((int) vector.first()),
                    vector.proof(), VECTOR_ROOTS.get((int) vector.second() - 1)));
        }
    }

    @Test
    void consistencyProofsMatchThePublishedOnesAndVerify() {
        for (Vector vector : CONSISTENCY_VECTORS) {
            List<byte[]> proof = MerkleTree.consistencyProof(vector.first(), vector.second(),
                    naiveNodes(leafHashes(VECTOR_LEAVES)));

            assertEquals(hex(vector.proof()), hex(proof), vector.toString());
            assertTrue(MerkleProofs.verifyConsistency(vector.first(), vector.second(), vector.proof(),
                    VECTOR_ROOTS.get((int) vector.first() - 1), VECTOR_ROOTS.get((int) vector.second() - 1)));
        }
    }

    @Test
    void everyInclusionProofUpTo64LeavesEqualsTheNaivePathAndVerifies() {
        List<byte[]> leaves = leafHashes(leaves(64));
        for (int size = 1; size <= 64; size++) {
            byte[] root = naiveRoot(leaves.subList(0, size));
            for (int index = 0; index < size; index++) {
                List<byte[]> proof = MerkleTree.inclusionProof(index, size, naiveNodes(leaves));

                assertEquals(hex(naivePath(index, leaves.subList(0, size))), hex(proof), index + " in " + size);
                assertTrue(MerkleProofs.verifyInclusion(index, size, leaves.get(index), proof, root));
            }
        }
    }

    @Test
    void everyConsistencyProofUpTo64LeavesEqualsTheNaiveProofAndVerifies() {
        List<byte[]> leaves = leafHashes(leaves(64));
        for (int to = 1; to <= 64; to++) {
            for (int from = 1; from <= to; from++) {
                List<byte[]> proof = MerkleTree.consistencyProof(from, to, naiveNodes(leaves));

                assertEquals(hex(from == to ? List.of() : naiveSubproof(from, leaves.subList(0, to), true)), hex(proof));
                assertTrue(MerkleProofs.verifyConsistency(from, to, proof, naiveRoot(leaves.subList(0, from)),
                        naiveRoot(leaves.subList(0, to))), from + " to " + to);
            }
        }
    }

    @Test
    void aProofAgainstADifferentRootOrLeafFails() {
        List<byte[]> leaves = leafHashes(leaves(64));
        List<byte[]> other = new ArrayList<>(leaves);
        other.set(20, MerkleTree.leafHash(new byte[] {42}));
        for (int size = 21; size <= 64; size++) {
            byte[] changedRoot = naiveRoot(other.subList(0, size));
            for (int from = 1; from < size; from++) {
                List<byte[]> proof = MerkleTree.consistencyProof(from, size, naiveNodes(leaves));

                // a log that changed leaf 20 cannot prove it extends any tree that held the old leaf 20
                if (from > 20) {
                    assertFalse(MerkleProofs.verifyConsistency(from, size, proof, naiveRoot(leaves.subList(0, from)),
                            changedRoot), from + " to " + size);
                }
            }
            assertFalse(MerkleProofs.verifyInclusion(20, size, leaves.get(20),
                    MerkleTree.inclusionProof(20, size, naiveNodes(leaves)), changedRoot));
            assertFalse(MerkleProofs.verifyInclusion(20, size, other.get(20),
                    MerkleTree.inclusionProof(20, size, naiveNodes(leaves)), naiveRoot(leaves.subList(0, size))));
        }
    }

    @Test
    void aProofWithAFlippedBitOrAWrongIndexFails() {
        List<byte[]> leaves = leafHashes(leaves(64));
        for (int size = 2; size <= 64; size++) {
            byte[] root = naiveRoot(leaves.subList(0, size));
            for (int index = 0; index < size; index++) {
                List<byte[]> proof = MerkleTree.inclusionProof(index, size, naiveNodes(leaves));
                List<byte[]> flipped = new ArrayList<>(proof);
                byte[] first = flipped.get(0).clone();
                first[0] ^= 8;
                flipped.set(0, first);

                assertFalse(MerkleProofs.verifyInclusion(index, size, leaves.get(index), flipped, root));
                assertFalse(MerkleProofs.verifyInclusion(index ^ 1, size, leaves.get(index), proof, root));
                assertFalse(MerkleProofs.verifyInclusion(index, size, leaves.get(index), proof.subList(1, proof.size()), root));
            }
        }
    }

    @Test
    void appendsCreateExactlyTheNaivePerfectSubtrees() {
        List<byte[]> leaves = leafHashes(leaves(64));
        CompactRange range = CompactRange.empty();
        for (int i = 0; i < 64; i++) {
            for (CompactRange.Created created : range.append(leaves.get(i))) {
                MerkleTree.Node node = created.node();
                int width = 1 << node.height();
                int start = (int) node.index() * width;

                assertEquals(i + 1, start + width, "a node is complete once its last leaf arrives");
                assertArrayEquals(naiveRoot(leaves.subList(start, start + width)), created.hash());
            }
            assertArrayEquals(naiveRoot(leaves.subList(0, i + 1)), range.root());
        }
    }

    @Test
    void theEmptyTreeHasTheHashOfNothing() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                HexFormat.of().formatHex(MerkleTree.root(0, node -> new byte[32])));
    }

    // ---- the naive tree: RFC 9162 section 2.1 definitions over a list, nothing shared with the product

    static byte[] naiveRoot(List<byte[]> leafHashes) {
        if (leafHashes.size() == 1) {
            return leafHashes.get(0);
        }
        int k = Integer.highestOneBit(leafHashes.size() - 1);
        return naiveNode(naiveRoot(leafHashes.subList(0, k)), naiveRoot(leafHashes.subList(k, leafHashes.size())));
    }

    private static List<byte[]> naivePath(int m, List<byte[]> d) {
        List<byte[]> path = new ArrayList<>();
        if (d.size() == 1) {
            return path;
        }
        int k = Integer.highestOneBit(d.size() - 1);
        if (m < k) {
            path.addAll(naivePath(m, d.subList(0, k)));
            path.add(naiveRoot(d.subList(k, d.size())));
        } else {
            path.addAll(naivePath(m - k, d.subList(k, d.size())));
            path.add(naiveRoot(d.subList(0, k)));
        }
        return path;
    }

    private static List<byte[]> naiveSubproof(int m, List<byte[]> d, boolean b) {
        List<byte[]> proof = new ArrayList<>();
        if (m == d.size()) {
            if (!b) {
                proof.add(naiveRoot(d));
            }
            return proof;
        }
        int k = Integer.highestOneBit(d.size() - 1);
        if (m <= k) {
            proof.addAll(naiveSubproof(m, d.subList(0, k), b));
            proof.add(naiveRoot(d.subList(k, d.size())));
        } else {
            proof.addAll(naiveSubproof(m - k, d.subList(k, d.size()), false));
            proof.add(naiveRoot(d.subList(0, k)));
        }
        return proof;
    }

    static MerkleTree.TreeNodes naiveNodes(List<byte[]> leafHashes) {
        return node -> {
            int width = 1 << node.height();
            int start = (int) node.index() * width;
            return naiveRoot(leafHashes.subList(start, start + width));
        };
    }

    private static byte[] naiveNode(byte[] left, byte[] right) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(new byte[] {1});
            sha.update(left);
            sha.update(right);
            return sha.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<byte[]> leafHashes(List<byte[]> leaves) {
        List<byte[]> hashes = new ArrayList<>();
        for (byte[] leaf : leaves) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update(new byte[] {0});
                hashes.add(sha.digest(leaf));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return hashes;
    }

    private static List<byte[]> leaves(int count) {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            leaves.add(("leaf " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return leaves;
    }

    private static List<byte[]> hex(String... values) {
        return java.util.Arrays.stream(values).map(HexFormat.of()::parseHex).toList();
    }

    private static List<String> hex(List<byte[]> hashes) {
        return hashes.stream().map(HexFormat.of()::formatHex).toList();
    }
}
