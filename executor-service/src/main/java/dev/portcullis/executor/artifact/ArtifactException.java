package dev.portcullis.executor.artifact;

import static java.util.Objects.requireNonNull;

/**
 * An artifact could not be stored or read. The message is safe to show: it names the run and the
 * artifact's path, never a local file path or upstream error text.
 */
public final class ArtifactException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Problem {
        /** The store holds no artifact at that place. */
        MISSING,
        /** The bytes read differ from the digest (or size) they were referenced with. */
        DIGEST_MISMATCH,
        /** The store could not be reached or refused the operation; trying later may work. */
        UNAVAILABLE
    }

    private final Problem problem;

    public ArtifactException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = requireNonNull(problem, "problem is null");
    }

    public Problem problem() {
        return problem;
    }
}
