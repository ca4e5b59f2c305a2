package dev.portcullis.runtime.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A folder names where in the checkout a deploy runs; whoever owns CI chooses it. These tables
 * try to walk out of the repository in every spelling we know of.
 */
class RepoFolderTest {
    /** Control and non-ASCII values would garble test names and reports: number them instead. */
    static final String BY_INDEX = "[{index}]";

    static Stream<Arguments> foldersAsWrittenAndNormalised() {
        return Stream.of(
                Arguments.of("", "."),
                Arguments.of(".", "."),
                Arguments.of("./", "."),
                Arguments.of("./.", "."),
                Arguments.of(".//./", "."),
                Arguments.of("./a//b/", "a/b"),
                Arguments.of("prod/network", "prod/network"),
                Arguments.of("prod/network/", "prod/network"),
                Arguments.of("a/./b", "a/b"),
                Arguments.of("a", "a"),
                Arguments.of(".github/workflows", ".github/workflows"),
                Arguments.of("a..b/c...", "a..b/c..."),
                Arguments.of("...a/.a./a.", "...a/.a./a."),
                Arguments.of("v1.2.3/x.lock", "v1.2.3/x.lock"),
                Arguments.of("a.b/c_d/e-f/g+h/i@j/k=l/m,n", "a.b/c_d/e-f/g+h/i@j/k=l/m,n"),
                Arguments.of("Env/PROD/eu-west-1", "Env/PROD/eu-west-1"));
    }

    @ParameterizedTest(name = "\"{0}\" -> \"{1}\"")
    @MethodSource("foldersAsWrittenAndNormalised")
    void folderInsideTheRepositoryIsNormalised(String raw, String normalised) {
        RepoFolder folder = RepoFolder.parse(raw);

        assertEquals(normalised, folder.value());
        assertEquals(normalised, folder.toString());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("foldersAsWrittenAndNormalised")
    void parsingANormalisedFolderAgainChangesNothing(String raw, String normalised) {
        RepoFolder folder = RepoFolder.parse(raw);

        RepoFolder again = RepoFolder.parse(folder.value());

        assertEquals(folder, again);
        assertEquals(folder, new RepoFolder(normalised));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "./", "./././/"})
    void emptyOrDotIsTheRoot(String raw) {
        RepoFolder folder = RepoFolder.parse(raw);

        assertSame(RepoFolder.ROOT, folder);
        assertTrue(folder.isRoot());
        assertEquals(List.of(), folder.segments());
    }

    @Test
    void rootIsWrittenAsDot() {
        RepoFolder root = RepoFolder.ROOT;

        String value = root.value();

        assertEquals(".", value);
        assertEquals(RepoFolder.ROOT, new RepoFolder("."));
    }

    @Test
    void segmentsArePathPartsInOrder() {
        RepoFolder folder = RepoFolder.parse("./prod//eu-west-1/network/");

        List<String> segments = folder.segments();

        assertEquals(List.of("prod", "eu-west-1", "network"), segments);
        assertFalse(folder.isRoot());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
            "..",
            "../",
            "./..",
            "../x",
            "../../../../etc/passwd",
            "a/..",
            "a/../b",
            "a/b/../../..",
            "a/./../b",
            "a//../b",
            "./../a",
            "prod/network/..",
            "prod/../../other-repo",
    })
    void parentSegmentIsRefusedWhereverItStands(String raw) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RepoFolder.parse(raw));

        assertEquals("must not contain '..': folders stay inside the repository", refused.getMessage());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"...", ".../", "..../x", "a/.../b", "a/......"})
    void segmentMadeOnlyOfDotsIsRefused(String raw) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RepoFolder.parse(raw));

        assertEquals("must not contain segments made only of dots", refused.getMessage());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"/", "/etc", "/etc/passwd", "//x", "///", "//server/share", "/./a", "/..", "/prod"})
    void absolutePathIsRefused(String raw) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RepoFolder.parse(raw));

        assertEquals("must be relative to the repository root, not absolute", refused.getMessage());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
            "..\\",
            "..\\x",
            "a\\..\\b",
            "a\\b",
            "\\",
            "\\etc",
            "\\\\server\\share",
            "C:\\x",
            "C:\\Windows\\System32",
            "a/..\\..",
    })
    void backslashIsRefused(String raw) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RepoFolder.parse(raw));

        assertEquals("must use '/' as separator; backslashes are refused", refused.getMessage());
    }

    @ParameterizedTest(name = BY_INDEX)
    @ValueSource(strings = {
            "a\0b",
            "\0",
            "..\0",
            "a/..\0/b",
            "prod\0/../..",
            "a\tb",
            "\t",
            "a\nb",
            "a\n",
            "a\rb",
            "\u001b[31mprod",
            "a\u0007",
            "a\u007f",
            "\u001f",
    })
    void nulAndControlCharactersAreRefused(String raw) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RepoFolder.parse(raw));

        assertEquals("must not contain NUL or control characters", refused.getMessage());
    }

    @ParameterizedTest(name = BY_INDEX)
    @ValueSource(strings = {
            "..\u2215etc",     // DIVISION SLASH
            "a\u2215b",
            "..\u2044etc",     // FRACTION SLASH
            "..\uff0fetc",     // FULLWIDTH SOLIDUS
            "\uff0e\uff0e/x",  // FULLWIDTH FULL STOP
            "\u2024\u2024/x",  // ONE DOT LEADER
            "\u2025/x",        // TWO DOT LEADER
            "\u3002\u3002/x",  // IDEOGRAPHIC FULL STOP
            "\ufe52\ufe52/x",  // SMALL FULL STOP
            "..\u29f8etc",     // BIG SOLIDUS
            "..\uff3cetc",     // FULLWIDTH REVERSE SOLIDUS
            "..\u2216etc",     // SET MINUS
            "..\u29f5etc",     // REVERSE SOLIDUS OPERATOR
            "prod\u202e/krowten", // RIGHT-TO-LEFT OVERRIDE
            "prod\u2066x",     // LEFT-TO-RIGHT ISOLATE
            "pr\u200bod",      // ZERO WIDTH SPACE
            "pr\u200dod",      // ZERO WIDTH JOINER
            "\ufeffprod",      // BYTE ORDER MARK
            "a\u00a0b",        // NO-BREAK SPACE
            "\uff50\uff52\uff4f\uff44", // FULLWIDTH "prod"
            "\u0440rod",       // CYRILLIC ER looking like 'p'
            "\u212a",          // KELVIN SIGN, folds to 'k'
            "\u00c0\u00ae\u00c0\u00ae/x", // overlong UTF-8 "." bytes read as Latin-1
            "\u00c0\u0080",    // overlong NUL (modified UTF-8) read as Latin-1
            "\ufffd\ufffd/x",  // what a lenient decoder makes of overlong "."
            "..\u0338/x",      // COMBINING LONG SOLIDUS OVERLAY
            "\ud800",          // lone high surrogate
            "a\udfff",         // lone low surrogate
            "\ud83d\udcc1",    // an emoji, outside the BMP
            "caf\u00e9",
    })
    void nonAsciiIncludingLookAlikesOfSlashAndDotIsRefused(String raw) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RepoFolder.parse(raw));

        assertEquals(
                "must be ASCII: non-ASCII characters (including look-alikes of '/' and '.') are refused",
                refused.getMessage());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
            "%2e%2e",
            "%2e%2e/etc",
            "%2E%2E%2F",
            "..%2f",
            "..%2fetc",
            "%2f",
            "%2fetc",
            "a%2f..%2f..",
            "%252e%252e",
            "%c0%ae%c0%ae",
            "..%c0%af",
            "%5c",
            "%00",
            "&#46;&#46;",
            "&#x2e;&#x2e;",
    })
    void percentAndOtherEscapesAreLiteralCharactersAndRefused(String raw) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RepoFolder.parse(raw));

        assertEquals("segments may hold only letters, digits and . _ + @ = , -", refused.getMessage());
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
            "C:",
            "C:/x",
            "c:x",
            "file:/etc",
            "~",
            "~/x",
            "~root",
            "$HOME",
            "${HOME}",
            "$(id)",
            "`id`",
            "a b",
            " ",
            "a;b",
            "a|b",
            "a&b",
            "a*",
            "a?",
            "[a]",
            "{a,b}",
            "a<b",
            "a>b",
            "a#b",
            "'a'",
            "\"a\"",
            "a!b",
            "a^b",
    })
    void shellDriveAndGlobCharactersAreRefused(String raw) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RepoFolder.parse(raw));

        assertEquals("segments may hold only letters, digits and . _ + @ = , -", refused.getMessage());
    }

    @Test
    void folderOfTheMaximumLengthIsAccepted() {
        String raw = ("abcdefghi/".repeat(25) + "abcde");

        RepoFolder folder = RepoFolder.parse(raw);

        assertEquals(RepoFolder.MAX_LENGTH, folder.value().length());
    }

    @Test
    void folderLongerThanTheMaximumIsRefused() {
        String raw = "a".repeat(RepoFolder.MAX_LENGTH + 1);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RepoFolder.parse(raw));

        assertEquals("must be at most 255 characters", refused.getMessage());
    }

    @Test
    void lengthIsJudgedAsWrittenNotAsNormalised() {
        String raw = "./".repeat(128) + "a";

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RepoFolder.parse(raw));

        assertEquals("must be at most 255 characters", refused.getMessage());
    }

    @Test
    void hugeValueIsRefusedWithoutQuotingIt() {
        String raw = "../".repeat(100_000);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RepoFolder.parse(raw));

        RefusalMessages.assertSafe(refused.getMessage(), raw);
    }

    @ParameterizedTest(name = BY_INDEX)
    @ValueSource(strings = {
            "prod/ghp_0123456789abcdefghijABCDEFGHIJ/..",
            "AKIAIOSFODNN7EXAMPLE/\u202e../../etc",
            "\u001b]0;pwned\u0007/../../../etc/passwd",
            "ghp_0123456789abcdefghijABCDEFGHIJ\\x",
            "/ghp_0123456789abcdefghijABCDEFGHIJ",
            "ghp_0123456789abcdefghijABCDEFGHIJ/%2e%2e",
    })
    void parseRefusalNeverQuotesTheValue(String raw) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RepoFolder.parse(raw));

        RefusalMessages.assertSafe(refused.getMessage(), raw);
    }

    @ParameterizedTest(name = BY_INDEX)
    @ValueSource(strings = {
            "",
            "./a",
            "a/",
            "/a",
            "a//b",
            "a/./b",
            "..",
            "a/../b",
            "...",
            "a\\b",
            "a b",
            "a\0b",
            "caf\u00e9",
            "%2e%2e",
    })
    void constructorRefusesAnythingNotAlreadyNormalised(String value) {
        assertThrows(IllegalArgumentException.class, () -> new RepoFolder(value));
    }

    @Test
    void constructorRefusesOverlongValue() {
        String value = "a".repeat(RepoFolder.MAX_LENGTH + 1);

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new RepoFolder(value));

        RefusalMessages.assertSafe(refused.getMessage(), value);
    }

    @ParameterizedTest(name = BY_INDEX)
    @ValueSource(strings = {
            "AKIAIOSFODNN7EXAMPLE/../x",
            "prod/\u202e/..",
            "\u001b]0;pwned\u0007/..",
            "a\nINFO forged log line",
            // cutting this at 40 chars, as the echo used to, leaves half a surrogate pair
            "a\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1"
                    + "\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1"
                    + "\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1\ud83d\udcc1/..",
    })
    void constructorRefusalNeverQuotesTheValue(String value) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new RepoFolder(value));

        RefusalMessages.assertSafe(refused.getMessage(), value);
    }

    @Test
    void constructorRefusalNeverQuotesAPrefixOfTheValue() {
        String value = "AKIAIOSFODNN7EXAMPLE/wJalrXUtnFEMI/K7MDENG/../x";

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new RepoFolder(value));

        assertFalse(refused.getMessage().contains("AKIAIOSFODNN7EXAMPLE"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"-rf", "prod/-rf", "--help", "a/-/b"})
    void aSegmentThatCouldReadAsACommandLineOptionIsRefused(String raw) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RepoFolder.parse(raw));

        assertEquals("segments may not start with '-'", e.getMessage());
    }
}
