package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

/** A place in a catalog file: 1-based line and column (0 when unknown). */
public record Location(String file, int line, int column) {
    public Location {
        requireNonNull(file, "file is null");
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
