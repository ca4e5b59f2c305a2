package dev.portcullis.runtime.request;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A folder inside a repository, normalised: relative, '/'-separated, no empty or "." segments,
 * no trailing '/'; the repository root is ".". Built by {@link #parse}, which refuses anything
 * that could leave the repository or mean different things to different readers: "..",
 * absolute paths, backslashes, NUL and control characters, and any non-ASCII character (which
 * covers the Unicode look-alikes of '/' and '.', such as U+2215 and U+FF0E). Symbolic links
 * inside the checkout are the executor's to refuse, at run time.
 */
public record RepoFolder(String value) {
    public static final int MAX_LENGTH = 255;
    public static final RepoFolder ROOT = new RepoFolder(".");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._+@=,-]+");

    public RepoFolder {
        requireNonNull(value, "value is null");
        if (!value.equals(".")) {
            if (value.isEmpty() || value.length() > MAX_LENGTH) {
                throw new IllegalArgumentException("folder must be 1-" + MAX_LENGTH + " characters");
            }
            for (String segment : value.split("/", -1)) {
                if (!SEGMENT.matcher(segment).matches() || segment.chars().allMatch(c -> c == '.')
                        || segment.startsWith("-")) {
                    // no part of the value in the message: it may hold control or bidi characters
                    throw new IllegalArgumentException("must be a normalised folder: '/'-separated segments of"
                            + " letters, digits and . _ + @ = , -, none empty or only dots");
                }
            }
        }
    }

    /**
     * Normalises and checks a folder as a caller wrote it: "" and "." are the root, "./a//b/"
     * becomes "a/b".
     *
     * @throws IllegalArgumentException saying why, in words safe to show the caller
     */
    public static RepoFolder parse(String raw) {
        requireNonNull(raw, "raw is null");
        if (raw.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("must be at most " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("must not contain NUL or control characters");
            }
            if (c > 0x7e) {
                throw new IllegalArgumentException(
                        "must be ASCII: non-ASCII characters (including look-alikes of '/' and '.') are refused");
            }
            if (c == '\\') {
                throw new IllegalArgumentException("must use '/' as separator; backslashes are refused");
            }
        }
        if (raw.startsWith("/")) {
            throw new IllegalArgumentException("must be relative to the repository root, not absolute");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : raw.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw new IllegalArgumentException("must not contain '..': folders stay inside the repository");
            }
            if (segment.chars().allMatch(c -> c == '.')) {
                throw new IllegalArgumentException("must not contain segments made only of dots");
            }
            if (!SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException(
                        "segments may hold only letters, digits and . _ + @ = , -");
            }
            if (segment.startsWith("-")) {
                // a folder must never read as a command-line option, e.g. "-rf"
                throw new IllegalArgumentException("segments may not start with '-'");
            }
            segments.add(segment);
        }
        return segments.isEmpty() ? ROOT : new RepoFolder(String.join("/", segments));
    }

    /** True for the repository root. */
    public boolean isRoot() {
        return value.equals(".");
    }

    /** The path segments; empty for the root. */
    public List<String> segments() {
        return isRoot() ? List.of() : List.of(value.split("/"));
    }

    @Override
    public String toString() {
        return value;
    }
}
