package dev.portcullis.audit.chain;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The RFC 9162 tree hash computed the naive way, from all leaves, sharing no code with the
 * product: the reference the stored, incrementally built tree must equal.
 */
public final class NaiveTree {
    private NaiveTree() {}

    /** MTH over the events' chain hashes (hex), leaf = SHA-256(0x00 || chain hash bytes). */
    public static byte[] rootOfEvents(List<StoredEvent> events) {
        return root(events.stream().map(event -> digest(new byte[] {0}, HexFormat.of().parseHex(event.hash()))).toList());
    }

    /** MTH over leaf hashes. */
    public static byte[] root(List<byte[]> leafHashes) {
        if (leafHashes.isEmpty()) {
            return digest();
        }
        if (leafHashes.size() == 1) {
            return leafHashes.get(0);
        }
        int k = Integer.highestOneBit(leafHashes.size() - 1);
        return digest(new byte[] {1}, root(leafHashes.subList(0, k)), root(leafHashes.subList(k, leafHashes.size())));
    }

    private static byte[] digest(byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                sha.update(part);
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
