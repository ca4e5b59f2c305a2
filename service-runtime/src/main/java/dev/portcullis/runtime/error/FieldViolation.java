package dev.portcullis.runtime.error;

import static java.util.Objects.requireNonNull;

/**
 * One malformed request field.
 *
 * @param field the field's path in the request as the contract names it, e.g. {@code plan.commit_sha}
 * @param description what is wrong, in plain words safe to show the caller; never echoes the
 *     whole offending value
 */
public record FieldViolation(String field, String description) {
    public FieldViolation {
        requireNonNull(field, "field is null");
        requireNonNull(description, "description is null");
    }
}
