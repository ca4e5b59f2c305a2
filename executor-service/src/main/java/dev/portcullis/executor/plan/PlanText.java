package dev.portcullis.executor.plan;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * The checks every piece of plan text passes before it can reach an approver's screen. An address
 * can carry a {@code for_each} key of the author's choosing; a line break, a terminal escape or a
 * bidirectional override in it could forge or hide lines of the summary, so such text is refused.
 * Messages never quote the text.
 */
final class PlanText {
    static final int MAX_ADDRESS_CHARS = 4096;
    private static final Pattern TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,127}");
    private static final Pattern REASON = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final Pattern OUTPUT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,255}");

    private PlanText() {}

    static String address(String value, String what) {
        requireNonNull(value, what + " is null");
        if (value.isBlank() || value.length() > MAX_ADDRESS_CHARS) {
            throw new IllegalArgumentException(what + " must be 1 to " + MAX_ADDRESS_CHARS + " characters");
        }
        if (value.codePoints().anyMatch(PlanText::hidesOrBreaksLines)) {
            throw new IllegalArgumentException(what + " holds a control, format or line-separator character");
        }
        return value;
    }

    static String type(String value) {
        return matching(TYPE, value, "resource type");
    }

    /** An {@code action_reason} token, or empty for none. */
    static String reason(String value) {
        requireNonNull(value, "action reason is null");
        return value.isEmpty() ? value : matching(REASON, value, "action reason");
    }

    static String outputName(String value) {
        return matching(OUTPUT_NAME, value, "output name");
    }

    private static String matching(Pattern pattern, String value, String what) {
        if (!pattern.matcher(requireNonNull(value, what + " is null")).matches()) {
            throw new IllegalArgumentException(what + " must match " + pattern.pattern());
        }
        return value;
    }

    private static boolean hidesOrBreaksLines(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }
}
