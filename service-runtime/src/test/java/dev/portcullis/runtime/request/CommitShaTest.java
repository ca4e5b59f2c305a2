package dev.portcullis.runtime.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommitShaTest {
    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            SHA,
            "0000000000000000000000000000000000000000",
            "ffffffffffffffffffffffffffffffffffffffff",
    })
    void fortyLowercaseHexCharactersAreACommit(String value) {
        CommitSha sha = new CommitSha(value);

        assertEquals(value, sha.value());
        assertEquals(value, sha.toString());
    }

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {
            "",
            "0123456789abcdef0123456789abcdef0123456",             // 39
            "0123456789abcdef0123456789abcdef012345678",           // 41
            "0123456789ABCDEF0123456789ABCDEF01234567",            // uppercase
            "0123456789abcdef0123456789abcdef0123456g",
            "0123456789abcdef0123456789abcdef0123456789abcdef01234567890abcdef0", // SHA-256 length
            "0123456",                                             // abbreviated
            "0x23456789abcdef0123456789abcdef01234567",
            " 123456789abcdef0123456789abcdef01234567",
            "0123456789abcdef0123456789abcdef01234567\n",
            "0123456789abcdef0123456789abcdef0123456\n",
            "0123456789abcdef0123456789abcdef0123456\0",
            "\uff10123456789abcdef0123456789abcdef01234567",      // FULLWIDTH DIGIT ZERO
            "\u0660123456789abcdef0123456789abcdef01234567",      // ARABIC-INDIC DIGIT ZERO
            "0123456789abcdef0123456789abcdef0123456\u0430",      // CYRILLIC A
            "HEAD",
            "refs/heads/main",
            "main~1",
    })
    void anythingButFortyLowercaseHexCharactersIsRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new CommitSha(value));

        assertEquals("must be a full commit SHA: 40 lowercase hexadecimal characters", refused.getMessage());
    }

    @Test
    void hugeValueIsRefusedWithoutQuotingIt() {
        String value = "a".repeat(1_000_000);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new CommitSha(value));

        RefusalMessages.assertSafe(refused.getMessage(), value);
    }
}
