package dev.portcullis.gateway.run;

import dev.portcullis.runtime.error.DomainException;
import java.util.Map;

/**
 * The identity token already submitted as many runs as one token may: DENIED
 * ({@code PERMISSION_DENIED}), {@code TOKEN_RUNS_EXHAUSTED}. Denied rather than EXHAUSTED: EXHAUSTED
 * answers {@code RESOURCE_EXHAUSTED} with a {@code RetryInfo}, but no retry with this token ever
 * succeeds; a new CI job brings a new token.
 */
public final class TokenRunsExhaustedException extends DomainException {
    private static final long serialVersionUID = 1L;

    public TokenRunsExhaustedException(int maxRuns) {
        super(Kind.DENIED, "TOKEN_RUNS_EXHAUSTED", "this identity token already submitted " + maxRuns
                + " runs, as many as one token may; a new CI job brings a new token",
                Map.of("max_runs_per_token", Integer.toString(maxRuns)));
    }
}
