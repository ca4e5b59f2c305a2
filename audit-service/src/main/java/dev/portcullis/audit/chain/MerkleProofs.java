package dev.portcullis.audit.chain;

import java.security.MessageDigest;
import java.util.List;

/**
 * Checks RFC 9162 inclusion (section 2.1.3.2) and consistency (section 2.1.4.2) proofs. Used by
 * the CLI against a signed checkpoint; needs nothing from the service. Stateless and thread-safe.
 */
public final class MerkleProofs {
    private MerkleProofs() {}

    /** True when {@code proof} shows leaf {@code index} with {@code leafHash} is in the tree of {@code size} with {@code root}. */
    public static boolean verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
        if (index < 0 || index >= size || !wellFormed(proof) || leafHash.length != 32) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = MerkleTree.nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>>= 1;
                        sn >>>= 1;
                    }
                }
            } else {
                r = MerkleTree.nodeHash(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /**
     * True when {@code proof} shows the tree of {@code toSize} with {@code toRoot} extends the
     * tree of {@code fromSize} with {@code fromRoot}: nothing in the first was changed or removed.
     */
    public static boolean verifyConsistency(long fromSize, long toSize, List<byte[]> proof, byte[] fromRoot, byte[] toRoot) {
        if (fromSize < 0 || toSize < fromSize || !wellFormed(proof)) {
            return false;
        }
        if (fromSize == toSize) {
            return proof.isEmpty() && MessageDigest.isEqual(fromRoot, toRoot);
        }
        if (fromSize == 0) {
            return proof.isEmpty();
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = proof;
        if (Long.bitCount(fromSize) == 1) {
            path = new java.util.ArrayList<>(proof.size() + 1);
            path.add(fromRoot);
            path.addAll(proof);
        }
        long fn = fromSize - 1;
        long sn = toSize - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = MerkleTree.nodeHash(c, fr);
                sr = MerkleTree.nodeHash(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>>= 1;
                        sn >>>= 1;
                    }
                }
            } else {
                sr = MerkleTree.nodeHash(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, fromRoot) && MessageDigest.isEqual(sr, toRoot);
    }

    private static boolean wellFormed(List<byte[]> proof) {
        return proof.size() <= 64 && proof.stream().allMatch(hash -> hash.length == 32);
    }
}
