package dev.portcullis.runtime.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Sha256DigestTest {
    // SHA-256 of the empty input
    private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void sixtyFourLowercaseHexCharactersAreADigest() {
        Sha256Digest digest = new Sha256Digest(EMPTY);

        assertEquals(EMPTY, digest.value());
        assertEquals(EMPTY, digest.toString());
    }

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {
            "",
            "sha256:" + EMPTY,
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",   // 63
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550", // 65
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85z",
            "0123456789abcdef0123456789abcdef01234567",                          // a SHA-1
            EMPTY + "\n",
            " " + EMPTY,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85\0",
            "\uff45" + "3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=",                      // base64url of EMPTY
    })
    void anythingButSixtyFourLowercaseHexCharactersIsRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new Sha256Digest(value));

        assertEquals("must be a SHA-256 digest: 64 lowercase hexadecimal characters", refused.getMessage());
    }

    @Test
    void hugeValueIsRefusedWithoutQuotingIt() {
        String value = EMPTY.repeat(10_000);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new Sha256Digest(value));

        RefusalMessages.assertSafe(refused.getMessage(), value);
    }
}
