package dev.portcullis.audit.chain;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A C2SP signed note (c2sp.org/signed-note): a text ending in a newline, a blank line, then
 * signature lines {@code — NAME base64(key id (4 bytes, big-endian) || signature)}. Only parses
 * and formats; {@link CheckpointSigner} signs and checks. Immutable.
 *
 * @param text the signed text, ending in a newline
 */
public record SignedNote(String text, List<Line> signatures) {
    /** Notes larger than this are refused before parsing. */
    public static final int MAX_BYTES = 4000;
    /** The Ed25519 signature type of the spec. */
    public static final byte ED25519 = 0x01;

    /** One signature line. */
    public record Line(String keyName, byte[] keyId, byte[] signature) {
        public Line {
            requireNonNull(keyName, "keyName is null");
            if (keyName.isEmpty() || keyName.chars().anyMatch(c -> c == '+' || Character.isWhitespace(c))) {
                throw new IllegalArgumentException("a key name is non-empty, without spaces or '+'");
            }
            if (keyId.length != 4) {
                throw new IllegalArgumentException("a key id is 4 bytes");
            }
            keyId = keyId.clone();
            signature = signature.clone();
        }

        @Override
        public byte[] keyId() {
            return keyId.clone();
        }

        @Override
        public byte[] signature() {
            return signature.clone();
        }
    }

    public SignedNote {
        requireNonNull(text, "text is null");
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("a note's text ends in a newline");
        }
        signatures = List.copyOf(signatures);
    }

    /** The note as text: what is stored, exported and saved by auditors. */
    public String format() {
        StringBuilder note = new StringBuilder(text).append('\n');
        for (Line line : signatures) {
            byte[] blob = new byte[4 + line.signature().length];
            System.arraycopy(line.keyId(), 0, blob, 0, 4);
            System.arraycopy(line.signature(), 0, blob, 4, line.signature().length);
            note.append("\u2014 ").append(line.keyName()).append(' ').append(Base64.getEncoder().encodeToString(blob)).append('\n');
        }
        return note.toString();
    }

    /**
     * Parses a note: the text is everything up to the last blank line.
     *
     * @throws IllegalArgumentException when it is not a well-formed signed note
     */
    public static SignedNote parse(String note) {
        if (note.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("the note is too large");
        }
        if (note.chars().anyMatch(c -> c < 0x20 && c != '\n')) {
            throw new IllegalArgumentException("a note holds no control characters but newlines");
        }
        int split = note.lastIndexOf("\n\n");
        if (split < 0 || !note.endsWith("\n")) {
            throw new IllegalArgumentException("a note is a text, a blank line and signature lines");
        }
        String text = note.substring(0, split + 1);
        List<Line> lines = new ArrayList<>();
        for (String line : note.substring(split + 2).split("\n")) {
            if (!line.startsWith("\u2014 ")) {
                throw new IllegalArgumentException("a signature line starts with an em dash and a space");
            }
            String[] parts = line.substring(2).split(" ", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("a signature line is a key name and a signature");
            }
            byte[] blob = Base64.getDecoder().decode(parts[1]);
            if (blob.length < 5) {
                throw new IllegalArgumentException("a signature is a key id and signature bytes");
            }
            lines.add(new Line(parts[0], Arrays.copyOf(blob, 4), Arrays.copyOfRange(blob, 4, blob.length)));
        }
        return new SignedNote(text, lines);
    }

    /** SHA-256(key name || 0x0A || type || public key)[:4], the key id the spec recommends. */
    public static byte[] keyId(String keyName, byte type, byte[] publicKey) {
        MessageDigest sha = MerkleTree.sha256();
        sha.update(keyName.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
        sha.update(type);
        return Arrays.copyOf(sha.digest(publicKey), 4);
    }
}
