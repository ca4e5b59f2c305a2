package dev.portcullis.executor.artifact;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * Where a task's artifact lives, relative to the task's folder: one to eight segments of letters,
 * digits, {@code .}, {@code _} and {@code -} separated by {@code /}, never {@code .} or {@code ..},
 * at most 512 characters. So it can never be absolute or climb out of the folder by its text;
 * symbolic links in the checkout are checked where the file is read or written.
 */
public record ArtifactPath(String value) {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,255}");
    private static final int MAX_SEGMENTS = 8;
    private static final int MAX_LENGTH = 512;

    public ArtifactPath {
        requireNonNull(value, "value is null");
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("must be a relative file path of 1-512 characters");
        }
        String[] segments = value.split("/", -1);
        if (segments.length > MAX_SEGMENTS) {
            throw new IllegalArgumentException("must have at most 8 path segments");
        }
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches() || segment.chars().allMatch(c -> c == '.') || segment.startsWith("-")) {
                throw new IllegalArgumentException("must be a relative path of letters, digits, '.', '_' and '-' "
                        + "without empty, '.' or '..' segments");
            }
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
