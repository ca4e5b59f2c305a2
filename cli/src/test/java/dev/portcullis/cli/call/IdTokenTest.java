package dev.portcullis.cli.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An identity token is checked for shape before any connection, and its text never appears in a message. */
class IdTokenTest {
    static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvZGVwbG95In0.c2lnbmF0dXJlLXNlY3JldA";

    @TempDir
    Path dir;

    @Test
    void acceptsACompactJwtAndStripsTheTrailingNewline() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), JWT + "\n");
        IdToken token = IdToken.read(file, "--id-token-file");
        assertEquals("--id-token-file (" + file + ")", token.source());
        assertFalse(token.toString().contains(JWT));
    }

    @Test
    void refusesAnEmptyFileNamingItAndTheNextStep() throws Exception {
        Path file = Files.writeString(dir.resolve("empty"), "\n");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> IdToken.read(file, "--id-token-file"));
        assertTrue(refused.getMessage().startsWith("--id-token-file (" + file + ") is empty"), refused.getMessage());
        assertTrue(refused.getMessage().contains("id_tokens:"), refused.getMessage());
    }

    @Test
    void refusesAMissingFile() {
        Path file = dir.resolve("absent");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> IdToken.read(file, "--id-token-file"));
        assertTrue(refused.getMessage().contains("(" + file + ") cannot be read"), refused.getMessage());
    }

    @Test
    void refusesAnOversizedFile() throws Exception {
        Path file = Files.writeString(dir.resolve("big"), JWT + "A".repeat(IdToken.MAX_BYTES));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> IdToken.read(file, "--id-token-file"));
        assertTrue(refused.getMessage().contains("more than 16384 bytes"), refused.getMessage());
        assertFalse(refused.getMessage().contains(JWT));
    }

    @Test
    void refusesTextThatIsNotThreeBase64UrlSegmentsWithoutQuotingIt() {
        for (String bad : new String[] {"secret-but-not-a-jwt", "a.b", "a.b.c.d", "a..c", "a.b+c.d", "Bearer " + JWT,
                JWT + "."}) {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> IdToken.of(bad, IdTokenOptions.TOKEN_VARIABLE), bad);
            assertTrue(refused.getMessage().startsWith("PORTCULLIS_ID_TOKEN does not hold a JWT"), refused.getMessage());
            assertFalse(refused.getMessage().contains(bad), refused.getMessage());
        }
    }

    @Test
    void aFileTakesPrecedenceOverTheVariable() throws Exception {
        Path file = Files.write(dir.resolve("token"), JWT.getBytes(StandardCharsets.UTF_8));
        IdTokenOptions options = new IdTokenOptions();
        options.file = file.toString();
        IdToken token = options.token(Map.of(IdTokenOptions.TOKEN_VARIABLE, "not-a-jwt"), unused()).orElseThrow();
        assertTrue(token.source().startsWith("--id-token-file"));
    }

    @Test
    void readsTheVariableGitLabSets() {
        IdToken token = new IdTokenOptions().token(Map.of(IdTokenOptions.TOKEN_VARIABLE, JWT), unused()).orElseThrow();
        assertEquals("PORTCULLIS_ID_TOKEN", token.source());
    }

    @Test
    void noTokenWithoutAnyOfTheSources() {
        assertTrue(new IdTokenOptions().token(Map.of(), unused()).isEmpty());
    }

    @Test
    void anAudienceOutsideGitHubActionsIsRefusedWithTheNextStep() {
        IdTokenOptions options = new IdTokenOptions();
        options.audience = "portcullis";
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> options.token(Map.of(), unused()));
        assertTrue(refused.getMessage().contains("id-token: write"), refused.getMessage());
    }

    private static GitHubActionsIdTokens unused() {
        return new GitHubActionsIdTokens(java.time.Duration.ofMillis(1));
    }
}
