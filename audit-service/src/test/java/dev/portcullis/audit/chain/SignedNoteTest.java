package dev.portcullis.audit.chain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint notes follow c2sp.org/signed-note and c2sp.org/tlog-checkpoint. The key id and
 * parsing are checked against the published example of golang.org/x/mod sumdb/note (note.go's
 * package doc: key "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").
 */
class SignedNoteTest {
    private static final String GO_TEXT = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n";
    private static final String GO_NOTE = GO_TEXT + "\n\u2014 PeterNeumann "
            + "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    private static final byte[] GO_KEY = Arrays.copyOfRange(Base64.getDecoder().decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"), 1, 33);

    @TempDir
    Path dir;

    @Test
    void theKeyIdIsThePublishedOne() {
        assertEquals("c74f20a3", HexFormat.of().formatHex(SignedNote.keyId("PeterNeumann", SignedNote.ED25519, GO_KEY)));
    }

    @Test
    void thePublishedNoteParsesAndFormatsBackByteForByte() {
        SignedNote note = SignedNote.parse(GO_NOTE);

        assertEquals(GO_TEXT, note.text());
        assertEquals("PeterNeumann", note.signatures().get(0).keyName());
        assertArrayEquals(HexFormat.of().parseHex("c74f20a3"), note.signatures().get(0).keyId());
        assertEquals(GO_NOTE, note.format());
    }

    @Test
    void aCheckpointIsOriginSizeAndBase64RootThenTheSignatureOfTheOrigin() {
        CheckpointSigner signer = CheckpointSigner.load(dir.resolve("k.key"), dir.resolve("k.pub"), true);
        byte[] root = new byte[32];
        root[0] = 1;

        String note = signer.signTree(42, root, Instant.parse("2026-11-24T10:00:00Z")).note();

        String[] lines = note.split("\n");
        assertEquals(signer.origin(), lines[0]);
        assertEquals("42", lines[1]);
        assertEquals(Base64.getEncoder().encodeToString(root), lines[2]);
        assertEquals("", lines[3]);
        assertTrue(lines[4].startsWith("\u2014 " + signer.origin() + " "), lines[4]);
        assertEquals(new TreeHead(signer.origin(), 42, root), CheckpointSigner.open(note, signer.publicKey()).orElseThrow());
    }

    @Test
    void aCheckpointWithAChangedSizeOrAnotherKeyDoesNotOpen() {
        CheckpointSigner signer = CheckpointSigner.load(dir.resolve("k.key"), dir.resolve("k.pub"), true);
        CheckpointSigner other = CheckpointSigner.load(dir.resolve("o.key"), dir.resolve("o.pub"), true);
        String note = signer.signTree(42, new byte[32], Instant.parse("2026-11-24T10:00:00Z")).note();

        assertFalse(CheckpointSigner.open(note.replace("\n42\n", "\n43\n"), signer.publicKey()).isPresent());
        assertFalse(CheckpointSigner.open(note, other.publicKey()).isPresent());
        assertFalse(CheckpointSigner.open("not a note", signer.publicKey()).isPresent());
    }

    @Test
    void aNoteWithControlCharactersIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SignedNote.parse("a\u0000\n\n\u2014 k AAAAAAA=\n"));
    }
}
