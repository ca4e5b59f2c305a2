package dev.portcullis.executor.redact;

import static java.util.Objects.requireNonNull;

/**
 * A secret that cannot be redacted safely, so the task must not run with it: a value shorter than
 * {@value Redactor#MIN_SECRET_LENGTH} characters (masking it would shred the log and, by the
 * pattern of the holes, reveal it), a multi-line value none of whose lines is that long, or
 * secrets too large to mask within bounded memory. The message names the secret's path and never
 * its value; it is safe to show the caller.
 */
public final class UnsafeSecretException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String path;

    UnsafeSecretException(String path, String problem) {
        super("secret " + requireNonNull(path, "path is null") + " cannot be redacted safely: "
                + requireNonNull(problem, "problem is null"), null, false, false);
        this.path = path;
    }

    /** The path of the refused secret. */
    public String path() {
        return path;
    }
}
