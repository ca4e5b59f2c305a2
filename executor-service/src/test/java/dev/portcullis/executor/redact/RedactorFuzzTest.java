package dev.portcullis.executor.redact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Whatever text surrounds a registered secret, and wherever the stream breaks it into lines, the
 * secret does not show in the output: neither as itself nor inside any base64, base64url or
 * base32 run, decoded at every offset (see {@link Leaks}).
 *
 * <p>Input layout: byte 0 chooses the secret (bits 2..) and how it is written (bits 0..1: raw,
 * base64 of the surrounding bytes and the secret as one blob, base64url likewise, raw with the
 * line broken at a chosen point); byte 1 chooses that point; the rest is the text before and
 * after it, halved. Newlines in the text end lines, as a task's output would.
 *
 * <p>Plain {@code mvn verify} replays only the inputs under
 * {@code src/test/resources/dev/portcullis/executor/redact/RedactorFuzzTestInputs/<method>/}. To
 * fuzz for longer (findings are written into that directory):
 *
 * <pre>{@code
 * JAZZER_FUZZ=1 JAZZER_MAX_DURATION=10m mvn -B -pl executor-service -am test \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtest='RedactorFuzzTest#aSecretNeverShowsWhateverTextSurroundsIt'
 * }</pre>
 */
class RedactorFuzzTest {
    private static final Redactor REDACTOR = Redactor.of(TestSecrets.ALL);

    @FuzzTest
    void aSecretNeverShowsWhateverTextSurroundsIt(byte[] input) {
        int mode = input.length > 0 ? input[0] & 0xff : 0;
        int point = input.length > 1 ? input[1] & 0xff : 0;
        byte[] rest = input.length > 2 ? Arrays.copyOfRange(input, 2, input.length) : new byte[0];
        byte[] before = Arrays.copyOfRange(rest, 0, rest.length / 2);
        byte[] after = Arrays.copyOfRange(rest, rest.length / 2, rest.length);
        Secret secret = TestSecrets.ALL.get((mode >>> 2) % TestSecrets.ALL.size());
        byte[] value = secret.reveal().getBytes(UTF_8);

        String text = switch (mode & 3) {
            case 1 -> Base64.getEncoder().encodeToString(concat(before, value, after));
            case 2 -> Base64.getUrlEncoder().encodeToString(concat(before, value, after));
            default -> new String(before, UTF_8) + secret.reveal() + new String(after, UTF_8);
        };
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if ((mode & 3) == 3 || (mode & 3) == 1) {
            breakLine(lines, point);
        }
        List<RedactedLine> out = RedactionCorpusTest.redact(REDACTOR, lines);

        assertEquals(lines.size(), out.size());
        assertFalse(Leaks.carries(Leaks.joined(out), secret.reveal().strip()), () -> secret.path() + " shows");
    }

    /** Breaks the longest line in two, {@code point}/256 of the way along. */
    private static void breakLine(List<String> lines, int point) {
        int longest = 0;
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).length() > lines.get(longest).length()) {
                longest = i;
            }
        }
        String line = lines.get(longest);
        int at = line.length() * point / 256;
        lines.set(longest, line.substring(0, at));
        lines.add(longest + 1, line.substring(at));
    }

    private static byte[] concat(byte[] before, byte[] value, byte[] after) {
        byte[] all = Arrays.copyOf(before, before.length + value.length + after.length);
        System.arraycopy(value, 0, all, before.length, value.length);
        System.arraycopy(after, 0, all, before.length + value.length, after.length);
        return all;
    }
}
