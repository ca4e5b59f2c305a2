package dev.portcullis.gateway.run;

import java.util.List;

/**
 * One step of a command: an argv run without a shell, in the run's checkout and folder.
 *
 * @param argv the rendered argv, 1 to 64 entries
 * @param detailedExitCode true for a {@code plan -detailed-exitcode} step: exit code 2 means
 *     "succeeded, the plan has changes", not a failure
 */
public record CommandStep(List<String> argv, boolean detailedExitCode) {
    /** The most entries one step's argv has. */
    public static final int MAX_ARGV = 64;

    public CommandStep {
        argv = List.copyOf(argv);
        if (argv.isEmpty() || argv.size() > MAX_ARGV) {
            throw new IllegalArgumentException("a step has 1 to " + MAX_ARGV + " argv entries");
        }
    }
}
