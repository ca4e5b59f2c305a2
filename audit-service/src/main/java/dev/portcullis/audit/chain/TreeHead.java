package dev.portcullis.audit.chain;

import static java.util.Objects.requireNonNull;

import java.util.Base64;
import java.util.HexFormat;

/**
 * What a checkpoint signs: the log's origin, the tree size and the root hash, written as a C2SP
 * tlog-checkpoint body ({@code origin\nsize\nbase64(root)\n}). Immutable.
 *
 * @param origin the log's name, e.g. {@code portcullis.dev/audit/0a1b2c3d4e5f6a7b}
 */
public record TreeHead(String origin, long size, byte[] root) {
    public TreeHead {
        requireNonNull(origin, "origin is null");
        if (origin.isEmpty() || origin.contains("\n")) {
            throw new IllegalArgumentException("an origin is one non-empty line");
        }
        if (size < 0) {
            throw new IllegalArgumentException("a tree size is not negative");
        }
        if (root.length != 32) {
            throw new IllegalArgumentException("a root hash is 32 bytes");
        }
        root = root.clone();
    }

    @Override
    public byte[] root() {
        return root.clone();
    }

    /** The root in lowercase hex, for people. */
    public String rootHex() {
        return HexFormat.of().formatHex(root);
    }

    /** The checkpoint body: the text a signed note signs. */
    public String body() {
        return origin + "\n" + size + "\n" + Base64.getEncoder().encodeToString(root) + "\n";
    }

    /**
     * Parses a checkpoint body; extension lines after the root are allowed and ignored.
     *
     * @throws IllegalArgumentException when it is not one
     */
    public static TreeHead parse(String body) {
        String[] lines = body.split("\n", -1);
        if (lines.length < 4 || !body.endsWith("\n")) {
            throw new IllegalArgumentException("a checkpoint body is an origin, a size and a root hash, one per line");
        }
        if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
            throw new IllegalArgumentException("a checkpoint's size is a decimal number without leading zeros");
        }
        return new TreeHead(lines[0], Long.parseLong(lines[1]), Base64.getDecoder().decode(lines[2]));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TreeHead head && head.origin.equals(origin) && head.size == size
                && java.util.Arrays.equals(head.root, root);
    }

    @Override
    public int hashCode() {
        return origin.hashCode() * 31 + Long.hashCode(size);
    }

    @Override
    public String toString() {
        return "TreeHead[" + origin + ", " + size + ", " + rootHex() + "]";
    }
}
