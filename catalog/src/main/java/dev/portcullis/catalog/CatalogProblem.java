package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong with a catalog.
 *
 * @param location where, in the file
 * @param field the field's path, e.g. {@code repos[0].rules[1].refs}
 * @param message the reason in plain words
 */
public record CatalogProblem(Location location, String field, String message) {
    public CatalogProblem {
        requireNonNull(location, "location is null");
        requireNonNull(field, "field is null");
        requireNonNull(message, "message is null");
    }

    @Override
    public String toString() {
        return location + ": " + (field.isEmpty() ? "" : field + ": ") + message;
    }
}
