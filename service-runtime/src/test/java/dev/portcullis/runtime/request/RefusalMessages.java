package dev.portcullis.runtime.request;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every refusal message must be: it reaches the caller through {@code BadRequest} and our
 * logs, so it is short printable ASCII in our words and never quotes the offending value, which
 * may carry a token, a terminal escape or a right-to-left override.
 */
final class RefusalMessages {
    /** Values up to this long can coincide with our own wording, such as ".." or "refs/". */
    private static final int ECHO_THRESHOLD = 8;
    static final int MAX_LENGTH = 120;

    private RefusalMessages() {}

    static void assertSafe(String message, String refusedValue) {
        assertNotNull(message, "refusal without a message");
        assertTrue(message.length() <= MAX_LENGTH, () -> "message too long: " + message.length());
        assertTrue(message.chars().allMatch(c -> c >= 0x20 && c <= 0x7e), "message is not printable ASCII");
        if (refusedValue.length() > ECHO_THRESHOLD) {
            assertFalse(message.contains(refusedValue), "message echoes the refused value");
        }
    }
}
