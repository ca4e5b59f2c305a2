package dev.portcullis.runtime.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CatalogNameTest {
    private static final String MESSAGE =
            "must be 1-100 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"infra-live", "prod", "eu-west-1", "a", "0", "terraform_apply", "v1.2", "a..b"})
    void lowercaseNameIsAccepted(String value) {
        CatalogName name = new CatalogName(value);

        assertEquals(value, name.value());
        assertEquals(value, name.toString());
    }

    @Test
    void nameOfTheMaximumLengthIsAccepted() {
        String value = "a".repeat(100);

        CatalogName name = new CatalogName(value);

        assertEquals(100, name.value().length());
    }

    @Test
    void nameOneCharacterOverTheMaximumIsRefused() {
        String value = "a".repeat(101);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new CatalogName(value));

        assertEquals(MESSAGE, refused.getMessage());
    }

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {
            "",
            "Prod",
            "PROD",
            ".",
            "..",
            ".hidden",
            "-rf",
            "--help",
            "_private",
            "a/b",
            "../prod",
            "a\\b",
            "a b",
            "prod\n",
            "prod\0",
            "prod\t",
            "a:b",
            "a*",
            "prod\u202e",
            "pr\u200bod",
            "\uff50rod",          // FULLWIDTH p
            "\u0440rod",          // CYRILLIC ER
            "prod\u2215x",
            "caf\u00e9",
            "\u212a",             // KELVIN SIGN, lowercases to 'k'
            "\u0131",             // DOTLESS I, uppercases to 'I'
    })
    void anythingElseIsRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new CatalogName(value));

        assertEquals(MESSAGE, refused.getMessage());
    }

    @Test
    void hugeValueIsRefusedWithoutQuotingIt() {
        String value = "a".repeat(1_000_000);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new CatalogName(value));

        RefusalMessages.assertSafe(refused.getMessage(), value);
    }
}
