package dev.portcullis.runtime.request;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A name the catalog defines: a repository, environment or command name. 1 to 100 characters
 * of lowercase letters, digits, '.', '_' and '-', starting with a letter or digit.
 */
public record CatalogName(String value) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    public CatalogName {
        if (!NAME.matcher(requireNonNull(value, "value is null")).matches()) {
            throw new IllegalArgumentException(
                    "must be 1-100 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
