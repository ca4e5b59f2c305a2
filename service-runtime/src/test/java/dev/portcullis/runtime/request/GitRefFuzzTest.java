package dev.portcullis.runtime.request;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * {@link GitRef} accepts exactly the refs that a second, independently written reading of the
 * rules accepts.
 *
 * <p>Plain {@code mvn verify} replays only the inputs under
 * {@code src/test/resources/dev/portcullis/runtime/request/GitRefFuzzTestInputs/<method>/}.
 * To fuzz for longer (findings are written into that directory):
 *
 * <pre>{@code
 * JAZZER_FUZZ=1 JAZZER_MAX_DURATION=10m mvn -B -pl service-runtime -am test \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtest='GitRefFuzzTest#refIsAcceptedExactlyWhenItFollowsTheRules'
 * }</pre>
 */
class GitRefFuzzTest {

    @FuzzTest
    void refIsAcceptedExactlyWhenItFollowsTheRules(byte[] input) {
        String value = new String(input, UTF_8);

        boolean accepted;
        try {
            new GitRef(value);
            accepted = true;
        } catch (IllegalArgumentException refused) {
            RefusalMessages.assertSafe(refused.getMessage(), value);
            accepted = false;
        }

        assertEquals(followsTheRules(value), accepted);
    }

    /** {@code git check-ref-format} read from the manual, component by component, plus our rules. */
    private static boolean followsTheRules(String ref) {
        if (ref.length() > GitRef.MAX_LENGTH || !ref.startsWith("refs/") || ref.endsWith(".")) {
            return false;
        }
        String[] components = ref.split("/", -1);
        for (String component : components) {
            if (component.isEmpty()
                    || component.charAt(0) == '.'
                    || component.endsWith(".lock")
                    || component.contains("..")
                    || component.contains("@{")) {
                return false;
            }
            for (char c : component.toCharArray()) {
                boolean printableAscii = c >= '!' && c <= '~';
                if (!printableAscii || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' || c == '['
                        || c == '\\' || "$`;|&<>'\"()".indexOf(c) >= 0) {
                    return false;
                }
            }
        }
        return components.length >= 2;
    }
}
