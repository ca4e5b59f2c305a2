package dev.portcullis.runtime.request;

import dev.portcullis.runtime.error.FieldViolation;
import dev.portcullis.runtime.error.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Parses the fields of one request, collecting every violation rather than stopping at the
 * first. Not thread-safe: one per request.
 *
 * <pre>{@code
 * FieldParser fields = new FieldParser();
 * Optional<CommitSha> sha = fields.parse("commit_sha", raw.getCommitSha(), CommitSha::new);
 * fields.throwIfInvalid();   // InvalidRequestException listing all violations
 * }</pre>
 */
public final class FieldParser {
    private static final String MALFORMED = "is malformed";
    private static final int MAX_DESCRIPTION_LENGTH = 200;
    /** Shorter values can coincide with our own wording, such as "..". */
    private static final int SHORTEST_ECHO = 8;

    private final List<FieldViolation> violations = new ArrayList<>();

    /**
     * Parses {@code raw} with {@code parser}, whose {@link IllegalArgumentException} message
     * becomes the field's violation, or "is malformed" if that message is missing, is not short
     * printable ASCII, or quotes {@code raw}.
     */
    public <T> Optional<T> parse(String field, String raw, Function<String, T> parser) {
        try {
            return Optional.of(parser.apply(raw));
        } catch (IllegalArgumentException e) {
            violations.add(new FieldViolation(field, safeDescription(e.getMessage(), raw)));
            return Optional.empty();
        }
    }

    /**
     * Parses a request's one field, e.g. a run id.
     *
     * @throws InvalidRequestException naming {@code field} when it does not parse
     */
    public static <T> T single(String field, String raw, Function<String, T> parser) {
        FieldParser fields = new FieldParser();
        Optional<T> value = fields.parse(field, raw, parser);
        fields.throwIfInvalid();
        return value.orElseThrow();
    }

    /**
     * A proto {@code uint64} as Java reads it: above 2^63-1 it arrives negative, which no offset,
     * sequence or size of ours can be, so it is rejected and read as 0.
     */
    public long unsigned64(String field, long wireValue) {
        if (wireValue < 0) {
            reject(field, "must be at most 2^63-1");
            return 0;
        }
        return wireValue;
    }

    /** Records a violation found by the caller. */
    public void reject(String field, String description) {
        violations.add(new FieldViolation(field, description));
    }

    /** @throws InvalidRequestException when any field was rejected */
    public void throwIfInvalid() {
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
    }

    // The description goes back to the caller and into our logs. JDK parsers quote their input
    // (Integer.parseInt: 'For input string: "..."', UUID.fromString, Enum.valueOf), which may be a
    // token pasted into the wrong field or carry terminal escapes and bidi overrides.
    private static String safeDescription(String message, String raw) {
        boolean safe = message != null
                && !message.isBlank()
                && message.length() <= MAX_DESCRIPTION_LENGTH
                && message.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)
                && (raw == null || raw.length() <= SHORTEST_ECHO || !message.contains(raw));
        return safe ? message : MALFORMED;
    }
}
