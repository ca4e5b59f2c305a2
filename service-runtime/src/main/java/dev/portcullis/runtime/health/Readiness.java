package dev.portcullis.runtime.health;

import static java.util.Objects.requireNonNull;

/**
 * What one readiness check found: ready, or not ready with a short problem text. The text goes to
 * the log and must be safe there: names, states and error codes, never a connection string, a
 * password, a token or upstream error text.
 *
 * @param ready whether the checked dependency can do its part now
 * @param problem empty when ready; otherwise what is wrong, at most {@value #MAX_PROBLEM} characters
 */
public record Readiness(boolean ready, String problem) {
    /** Longest problem text kept; longer ones are cut. */
    public static final int MAX_PROBLEM = 200;
    /** Ready. */
    public static final Readiness READY = new Readiness(true, "");

    public Readiness {
        requireNonNull(problem, "problem is null");
        if (ready != problem.isEmpty()) {
            throw new IllegalArgumentException(ready ? "a ready check has no problem" : "a check that is not ready names its problem");
        }
        if (problem.length() > MAX_PROBLEM) {
            problem = problem.substring(0, MAX_PROBLEM);
        }
    }

    /** Not ready because of {@code problem} (non-empty, safe to log). */
    public static Readiness notReady(String problem) {
        return new Readiness(false, problem);
    }
}
