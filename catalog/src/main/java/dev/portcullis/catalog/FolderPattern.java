package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.RepoFolder;
import java.util.List;

/**
 * A pattern over repository folders: segments separated by '/'; {@code *} matches one segment,
 * {@code **} matches zero or more. {@code prod/**} matches {@code prod} and everything below it;
 * {@code **} alone matches every folder including the root. Immutable.
 */
public final class FolderPattern {
    private final String value;
    private final List<String> segments;

    /** @throws IllegalArgumentException when the pattern is not a normalised folder with whole-segment wildcards */
    public FolderPattern(String value) {
        this.value = requireNonNull(value, "value is null");
        this.segments = List.of(value.split("/", -1));
        for (String segment : segments) {
            if (segment.equals("*") || segment.equals("**")) {
                continue;
            }
            if (segment.contains("*")) {
                throw new IllegalArgumentException("'*' and '**' must be whole segments");
            }
            RepoFolder folder = RepoFolder.parse(segment);
            if (folder.isRoot() || !folder.value().equals(segment)) {
                throw new IllegalArgumentException("not a normalised folder pattern");
            }
        }
    }

    /** True when {@code folder} matches. */
    public boolean matches(RepoFolder folder) {
        return matches(folder.segments());
    }

    /** True when the folder with these segments matches (callers matching many patterns split once). */
    public boolean matches(List<String> folderSegments) {
        return matches(0, folderSegments, 0);
    }

    private boolean matches(int p, List<String> path, int f) {
        if (p == segments.size()) {
            return f == path.size();
        }
        String segment = segments.get(p);
        if (segment.equals("**")) {
            for (int skip = f; skip <= path.size(); skip++) {
                if (matches(p + 1, path, skip)) {
                    return true;
                }
            }
            return false;
        }
        return f < path.size()
                && (segment.equals("*") || segment.equals(path.get(f)))
                && matches(p + 1, path, f + 1);
    }

    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FolderPattern pattern && pattern.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
