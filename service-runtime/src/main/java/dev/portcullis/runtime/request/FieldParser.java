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
    private final List<FieldViolation> violations = new ArrayList<>();

    /**
     * Parses {@code raw} with {@code parser}, whose {@link IllegalArgumentException} message
     * becomes the field's violation.
     */
    public <T> Optional<T> parse(String field, String raw, Function<String, T> parser) {
        try {
            return Optional.of(parser.apply(raw));
        } catch (IllegalArgumentException e) {
            violations.add(new FieldViolation(field, e.getMessage()));
            return Optional.empty();
        }
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
}
