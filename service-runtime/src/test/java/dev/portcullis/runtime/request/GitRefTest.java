package dev.portcullis.runtime.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One positive and several negative cases per rule of {@code git check-ref-format}, plus our
 * own: full refs only, printable ASCII only, at most 255 characters. The expectations were
 * checked against {@code git check-ref-format} 2.39; where git is more lenient the test says so.
 */
class GitRefTest {
    /** Control and non-ASCII values would garble test names and reports: number them instead. */
    static final String BY_INDEX = "[{index}]";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "refs/heads/main",
            "refs/pull/12/head",
            "refs/tags/v1.2.3",
            "refs/heads/feature/x-y_z",
            "refs/heads/release/2024.03",
            "refs/x",
            "refs/heads",
            "refs/heads/@",
            "refs/heads/a@b",
            "refs/heads/a@",
            "refs/heads/a{1}",
            "refs/heads/lock",
            "refs/heads/x.locks",
            "refs/heads/a.lock.b",
            "refs/heads/a./b",
            "refs/heads/a.b",
            "refs/heads/-dash",
            "refs/heads/a!#%+,=]{}b",
            "refs/heads/UPPER/Case",
    })
    void refFollowingTheRulesIsAccepted(String value) {
        GitRef ref = new GitRef(value);

        assertEquals(value, ref.value());
        assertEquals(value, ref.toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "refs/heads/main$(id)",
            "refs/heads/main`id`",
            "refs/heads/main;id",
            "refs/heads/main|id",
            "refs/heads/main&&id",
            "refs/heads/a<b",
            "refs/heads/a>b",
            "refs/heads/it's",
            "refs/heads/\"x\"",
            "refs/heads/(x)",
    })
    void shellQuotingAndCommandCharactersAreRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        assertTrue(refused.getMessage().startsWith("must not contain '"), refused.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "refs/heads/.hidden",
            "refs/.heads/main",
            "refs/heads/a/.b",
            "refs/heads/.lock",
    })
    void componentStartingWithDotIsRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        assertEquals("no component may start with '.'", refused.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "refs/heads/x.lock",
            "refs/heads/x.lock/y",
            "refs/tags/v1.lock",
            "refs/heads/a.b.lock",
            "refs/heads.lock/main",
    })
    void componentEndingInDotLockIsRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        assertEquals("no component may end with '.lock'", refused.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "refs/heads/a..b",
            "refs/heads/..",
            "refs/heads/a/../b",
            "refs/../etc",
            "refs/heads/...",
            "refs/heads/main..refs/heads/evil",
    })
    void twoConsecutiveDotsAreRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        assertEquals("must not contain '..'", refused.getMessage());
    }

    @ParameterizedTest(name = BY_INDEX)
    @ValueSource(strings = {
            "refs/heads/a\0b",
            "refs/heads/main\0",
            "refs/heads/a\tb",
            "refs/heads/a\nb",
            "refs/heads/main\n",
            "refs/heads/a\rb",
            "refs/heads/a\u007f",
            "refs/heads/\u001b[31mred",
            "refs/heads/\u0001",
    })
    void controlCharactersAreRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        assertEquals(
                "must hold printable ASCII only (no spaces, control or non-ASCII characters)", refused.getMessage());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"refs/heads/a b", "refs/heads/main ", " refs/heads/main", "refs/heads/ "})
    void spaceIsRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        assertEquals(
                "must hold printable ASCII only (no spaces, control or non-ASCII characters)", refused.getMessage());
    }

    static Stream<Arguments> forbiddenPunctuation() {
        return "~^:?*[\\".chars()
                .mapToObj(c -> Arguments.of("refs/heads/a" + (char) c + "b", "must not contain '" + (char) c + "'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forbiddenPunctuation")
    void eachForbiddenPunctuationCharacterIsRefused(String value, String message) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        assertEquals(message, refused.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"refs/heads/main~1", "refs/heads/main^{tree}", "refs/heads/main:refs/heads/x", "refs/*"})
    void revisionSyntaxIsRefused(String value) {
        assertThrows(IllegalArgumentException.class, () -> new GitRef(value));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"refs/heads/a@{1}", "refs/heads/@{u}", "refs/heads/a@{", "refs/heads/main@{-1}x"})
    void atBraceIsRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        assertEquals("must not contain '@{'", refused.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"refs/heads/", "refs/heads/a/", "refs/heads/a.", "refs/heads/a/b.", "refs/heads/."})
    void trailingSlashOrDotIsRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        assertEquals("must not end with '/' or '.'", refused.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"refs/heads//a", "refs//heads/a", "refs/heads/a//b", "refs/heads/a//"})
    void consecutiveSlashesAreRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        assertEquals("must not contain '//'", refused.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "main",
            "HEAD",
            "FETCH_HEAD",
            "@",
            "heads/main",
            "origin/main",
            "refs",
            "refs/",
            "/refs/heads/main",
            "Refs/heads/main",
            "REFS/heads/main",
            "-",
            "--upload-pack=touch",
            "ref/heads/main",
            "./refs/heads/main",
    })
    void anythingButAFullRefNameIsRefused(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        assertEquals("must be a full ref name starting with refs/, e.g. refs/heads/main", refused.getMessage());
    }

    @Test
    void emptyRefIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(""));

        assertEquals("must not be empty", refused.getMessage());
    }

    @ParameterizedTest(name = BY_INDEX)
    @ValueSource(strings = {
            "refs/heads/caf\u00e9",
            "refs/heads/a\u2215b",      // DIVISION SLASH
            "refs/heads/a\u2044b",      // FRACTION SLASH
            "refs/heads/a\uff0fb",      // FULLWIDTH SOLIDUS
            "refs/heads/a\uff0e\uff0eb", // FULLWIDTH FULL STOP
            "refs/heads/a\u2024\u2024b", // ONE DOT LEADER
            "refs/heads/x\u3002lock",   // IDEOGRAPHIC FULL STOP
            "refs/heads/main\u202e",    // RIGHT-TO-LEFT OVERRIDE
            "refs/heads/ma\u200bin",    // ZERO WIDTH SPACE
            "refs/heads/\ufeffmain",    // BYTE ORDER MARK
            "refs/heads/a\u00a0b",      // NO-BREAK SPACE
            "refs/heads/\uff4d\uff41\uff49\uff4e", // FULLWIDTH "main"
            "refs/heads/m\u0430in",     // CYRILLIC A
            "refs/heads/\ud800",        // lone high surrogate
            "refs/heads/\ud83d\ude80",  // an emoji, outside the BMP
            "\uff52efs/heads/main",
    })
    void nonAsciiIsRefusedThoughGitWouldAllowIt(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        assertEquals(
                "must hold printable ASCII only (no spaces, control or non-ASCII characters)", refused.getMessage());
    }

    @Test
    void refOfTheMaximumLengthIsAccepted() {
        String value = "refs/heads/" + "a".repeat(GitRef.MAX_LENGTH - "refs/heads/".length());

        GitRef ref = new GitRef(value);

        assertEquals(255, ref.value().length());
    }

    @Test
    void refOneCharacterOverTheMaximumIsRefused() {
        String value = "refs/heads/" + "a".repeat(GitRef.MAX_LENGTH + 1 - "refs/heads/".length());

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        assertEquals("must be at most 255 characters", refused.getMessage());
    }

    @Test
    void hugeRefIsRefusedWithoutQuotingIt() {
        String value = "refs/heads/" + "ghp_0123456789abcdefghij".repeat(50_000);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        RefusalMessages.assertSafe(refused.getMessage(), value);
    }

    @ParameterizedTest(name = BY_INDEX)
    @ValueSource(strings = {
            "refs/heads/ghp_0123456789abcdefghijABCDEFGHIJ..x",
            "refs/heads/ghp_0123456789abcdefghijABCDEFGHIJ x",
            "refs/heads/ghp_0123456789abcdefghijABCDEFGHIJ\u001b]0;pwned\u0007",
            "refs/heads/ghp_0123456789abcdefghijABCDEFGHIJ\u202e",
            "ghp_0123456789abcdefghijABCDEFGHIJ",
            "refs/heads/ghp_0123456789abcdefghijABCDEFGHIJ.lock",
            "refs/heads/ghp_0123456789abcdefghijABCDEFGHIJ~1",
    })
    void refusalNeverQuotesTheValue(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new GitRef(value));

        RefusalMessages.assertSafe(refused.getMessage(), value);
    }
}
