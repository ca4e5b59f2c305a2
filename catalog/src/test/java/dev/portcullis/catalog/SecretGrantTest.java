package dev.portcullis.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.catalog.SecretGrant.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretGrantTest {

    @Test
    void parsesTheCatalogNotationAndPrintsItBack() {
        SecretGrant kv = SecretGrant.parse("kv:secret/data/prod/app");
        SecretGrant aws = SecretGrant.parse("aws:aws/creds/deploy-prod");

        assertEquals(new SecretGrant(Kind.KV, "secret/data/prod/app"), kv);
        assertEquals(new SecretGrant(Kind.AWS, "aws/creds/deploy-prod"), aws);
        assertEquals("kv:secret/data/prod/app", kv.toString());
        assertEquals("aws:aws/creds/deploy-prod", aws.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"secret/data/prod/app", "vault:secret/data/x", "KV:secret/data/x", ""})
    void anUnknownKindIsRefused(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretGrant.parse(text));

        assertEquals("secret must be written kv:PATH or aws:PATH", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/secret/data/x", "secret/data/x/", "secret//data", "secret/data/../x", "secret/./x",
            "secret/data/.", "secret/data/x?version=1", "secret/data/x y", "secret/data/%2e%2e"})
    void aPathThatCouldEscapeOrSmuggleIsRefused(String path) {
        assertThrows(IllegalArgumentException.class, () -> new SecretGrant(Kind.KV, path));
    }

    @Test
    void aPathLongerThan512CharactersIsRefused() {
        String path = "secret/data/" + "a".repeat(501);

        assertThrows(IllegalArgumentException.class, () -> new SecretGrant(Kind.KV, path));
    }
}
