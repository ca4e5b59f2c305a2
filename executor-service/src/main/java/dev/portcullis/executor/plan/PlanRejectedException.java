package dev.portcullis.executor.plan;

import static java.util.Objects.requireNonNull;

/**
 * A plan's JSON cannot be summarised. The message is safe to show: it names the problem and at
 * most a position in the document, never the document's text, which may hold secret values.
 */
public final class PlanRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the plan was refused. */
    public enum Problem {
        /** The JSON is larger than the configured maximum. */
        TOO_LARGE,
        /** Not JSON, or not the shape {@code terraform show -json} writes. */
        MALFORMED,
        /** A {@code format_version} whose major version this reader does not know, or none. */
        UNSUPPORTED_FORMAT,
        /** Terraform says the plan errored: it does not describe everything apply would do. */
        ERRORED
    }

    private final Problem problem;

    public PlanRejectedException(Problem problem, String message) {
        super(requireNonNull(message, "message is null"), null, false, false);
        this.problem = requireNonNull(problem, "problem is null");
    }

    public Problem problem() {
        return problem;
    }
}
