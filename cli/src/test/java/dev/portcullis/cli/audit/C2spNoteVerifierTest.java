package dev.portcullis.cli.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The test-only verifier is itself right: it accepts the published example of golang.org/x/mod
 * sumdb/note (note.go's package doc and note_test.go, key "PeterNeumann+c74f20a3+...") and refuses
 * it once changed, so it can vouch for the export's checkpoint.
 */
class C2spNoteVerifierTest {
    private static final String TEXT = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n";
    private static final String NOTE = TEXT + "\n\u2014 PeterNeumann "
            + "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    /** From the verifier key "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW": type 0x01, then the key. */
    private static final byte[] KEY = Arrays.copyOfRange(Base64.getDecoder().decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"), 1, 33);

    @Test
    void thePublishedGoNoteVerifies() throws Exception {
        assertEquals(TEXT, C2spNoteVerifier.open(NOTE, "PeterNeumann", KEY));
    }

    @Test
    void thePublishedGoNoteWithAChangedTextIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> C2spNoteVerifier.open(NOTE.replace("cryptography", "cryptographY"), "PeterNeumann", KEY));
    }

    @Test
    void aNoteSignedOnlyByAnotherKeyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> C2spNoteVerifier.open(NOTE, "EnochRoot", KEY));
    }
}
