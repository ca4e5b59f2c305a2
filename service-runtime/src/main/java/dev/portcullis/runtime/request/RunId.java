package dev.portcullis.runtime.request;

import static java.util.Objects.requireNonNull;

import java.util.UUID;
import java.util.regex.Pattern;

/** A run id: a UUID in canonical lowercase form. */
public record RunId(String value) {
    private static final Pattern UUID_FORM =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public RunId {
        if (!UUID_FORM.matcher(requireNonNull(value, "value is null")).matches()) {
            throw new IllegalArgumentException("must be a run id: a UUID in lowercase canonical form");
        }
    }

    /** A new random run id. */
    public static RunId random() {
        return new RunId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
