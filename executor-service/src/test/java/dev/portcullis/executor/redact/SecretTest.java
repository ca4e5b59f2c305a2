package dev.portcullis.executor.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecretTest {

    @Test
    void toStringNamesThePathAndNeverRevealsTheValue() {
        Secret secret = new Secret("kv:secret/data/prod/app#password", "correct-horse-battery-staple");

        String printed = secret.toString();

        assertEquals("Secret[path=kv:secret/data/prod/app#password, value=redacted]", printed);
        assertFalse(printed.contains("correct-horse"));
        assertFalse(String.valueOf(List.of(secret)).contains("correct-horse"));
    }

    @Test
    void revealGivesTheValue() {
        assertEquals("correct-horse-battery-staple", new Secret("kv:p", "correct-horse-battery-staple").reveal());
    }
}
