package dev.portcullis.runtime.request;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;

/**
 * Properties of {@link RepoFolder} that must hold for any input a CI system can send.
 *
 * <p>Plain {@code mvn verify} replays only the inputs under
 * {@code src/test/resources/dev/portcullis/runtime/request/RepoFolderFuzzTestInputs/<method>/}.
 * To fuzz one method for longer (one per run; findings are written into that directory):
 *
 * <pre>{@code
 * JAZZER_FUZZ=1 JAZZER_MAX_DURATION=10m mvn -B -pl service-runtime -am test \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtest='RepoFolderFuzzTest#parsedFolderStaysInsideTheRepository'
 * }</pre>
 */
class RepoFolderFuzzTest {

    @FuzzTest
    void parsedFolderStaysInsideTheRepository(byte[] input) {
        String raw = new String(input, UTF_8);
        RepoFolder folder;
        try {
            folder = RepoFolder.parse(raw);
        } catch (IllegalArgumentException refused) {
            RefusalMessages.assertSafe(refused.getMessage(), raw);
            return;
        }

        String value = folder.value();
        assertTrue(value.length() >= 1 && value.length() <= RepoFolder.MAX_LENGTH, "length");
        assertTrue(value.chars().allMatch(c -> c > 0x20 && c < 0x7f), "printable ASCII only");
        assertFalse(value.contains("\\"), "backslash");
        assertFalse(value.startsWith("/"), "absolute");
        assertFalse(Arrays.asList(raw.split("/", -1)).contains(".."), "'..' in the input was accepted");
        if (folder.isRoot()) {
            assertEquals(".", value);
        } else {
            for (String segment : folder.segments()) {
                assertFalse(segment.chars().allMatch(c -> c == '.'), "empty, '.' or '..' segment");
            }
        }
        assertEquals(folder, RepoFolder.parse(value), "parse is not idempotent");
        assertEquals(droppingEmptyAndDotSegments(raw), folder.segments(), "normalisation did more than tidy up");
    }

    @FuzzTest
    void constructorAcceptsOnlyWhatParseWouldProduce(byte[] input) {
        String value = new String(input, UTF_8);
        RepoFolder folder;
        try {
            folder = new RepoFolder(value);
        } catch (IllegalArgumentException refused) {
            RefusalMessages.assertSafe(refused.getMessage(), value);
            return;
        }

        assertEquals(folder, RepoFolder.parse(value));
    }

    private static List<String> droppingEmptyAndDotSegments(String raw) {
        return Arrays.stream(raw.split("/", -1)).filter(s -> !s.isEmpty() && !s.equals(".")).toList();
    }
}
