package dev.portcullis.cli.audit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * A signed-note verifier written for the tests from the C2SP text alone (c2sp.org/signed-note,
 * "Format", "Signatures", "Ed25519 signatures"; c2sp.org/tlog-checkpoint for the body), sharing
 * no code with the product: the text ends at the last blank line; each signature line is an em
 * dash, a space, the key name, a space and base64(key id || signature); the Ed25519 key id is
 * SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]; the signature is RFC 8032 Ed25519
 * over the text including its final newline. Signatures of other keys are ignored; the note is
 * rejected unless one of the known key verifies.
 */
final class C2spNoteVerifier {
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private C2spNoteVerifier() {}

    /** The checkpoint body's lines, when {@code note} is signed by the key in {@code publicKeyPem} under the body's origin. */
    static List<String> open(String note, Path publicKeyPem) throws Exception {
        String text = note.substring(0, note.lastIndexOf("\n\n") + 1);
        String origin = text.substring(0, text.indexOf('\n'));
        return List.of(open(note, origin, rawKey(publicKeyPem)).split("\n"));
    }

    /** The note's text, when a signature line of key {@code name} with {@code rawKey} verifies. */
    static String open(String note, String name, byte[] rawKey) throws Exception {
        if (!note.endsWith("\n") || note.chars().anyMatch(c -> c < 0x20 && c != '\n')) {
            throw new IllegalArgumentException("malformed note");
        }
        int split = note.lastIndexOf("\n\n");
        String text = note.substring(0, split + 1);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update(new byte[] {0x0A, 0x01});
        byte[] keyId = Arrays.copyOf(sha.digest(rawKey), 4);
        boolean verified = false;
        for (String line : note.substring(split + 2, note.length() - 1).split("\n")) {
            if (!line.startsWith("\u2014 ")) {
                throw new IllegalArgumentException("malformed signature line");
            }
            String[] parts = line.substring(2).split(" ");
            byte[] blob = Base64.getDecoder().decode(parts[1]);
            if (!parts[0].equals(name) || !Arrays.equals(Arrays.copyOf(blob, 4), keyId)) {
                continue; // another key's signature: ignored, as the spec says
            }
            Signature ed25519 = Signature.getInstance("Ed25519");
            byte[] spki = new byte[44];
            System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, 12);
            System.arraycopy(rawKey, 0, spki, 12, 32);
            ed25519.initVerify(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki)));
            ed25519.update(text.getBytes(StandardCharsets.UTF_8));
            if (!ed25519.verify(Arrays.copyOfRange(blob, 4, blob.length))) {
                throw new IllegalArgumentException("a signature of the known key does not verify");
            }
            verified = true;
        }
        if (!verified) {
            throw new IllegalArgumentException("no signature of the known key");
        }
        return text;
    }

    /**
     * The note's text, when signed by the key given in the signed-note verifier-key form
     * {@code name+hash+base64(0x01 || key)} ("Verifier keys": the hash is the key id in 8 hex digits).
     */
    static String openWithVerifierKey(String note, String verifierKey) throws Exception {
        String[] parts = verifierKey.split("\\+", 3); // the base64 may hold a +
        byte[] material = Base64.getDecoder().decode(parts[2]);
        if (parts.length != 3 || material.length != 33 || material[0] != 0x01) {
            throw new IllegalArgumentException("not an Ed25519 verifier key");
        }
        byte[] raw = Arrays.copyOfRange(material, 1, 33);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(parts[0].getBytes(StandardCharsets.UTF_8));
        sha.update(new byte[] {0x0A, 0x01});
        if (!HexFormat.of().formatHex(Arrays.copyOf(sha.digest(raw), 4)).equals(parts[1])) {
            throw new IllegalArgumentException("the verifier key's hash is not its key id");
        }
        return open(note, parts[0], raw);
    }

    private static byte[] rawKey(Path pem) throws Exception {
        String base64 = Files.readAllLines(pem).stream().filter(line -> !line.startsWith("-----")).reduce("", String::concat);
        byte[] der = Base64.getDecoder().decode(base64);
        if (der.length != 44 || !Arrays.equals(Arrays.copyOf(der, 12), ED25519_SPKI_PREFIX)) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return Arrays.copyOfRange(der, 12, 44);
    }
}
