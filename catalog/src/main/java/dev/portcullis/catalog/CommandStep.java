package dev.portcullis.catalog;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One step of a command: an argv run without a shell, as a template in the catalog and rendered
 * in a decision.
 *
 * @param detailedExitcode true when the argv asks for {@code -detailed-exitcode} (Terraform's and
 *     OpenTofu's {@code plan}): exit code 2 then means "succeeded, the plan has changes"
 */
public record CommandStep(List<String> argv, boolean detailedExitcode) {
    // Go's flag package reads -flag, --flag and -flag=true alike
    private static final Pattern DETAILED_EXITCODE = Pattern.compile("--?detailed-exitcode(=true)?");

    public CommandStep {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a step must list at least the program to run");
        }
    }

    /** A step of {@code argv}, marked {@link #detailedExitcode} when one of its arguments asks for it. */
    public static CommandStep of(List<String> argv) {
        return new CommandStep(argv, argv.stream().anyMatch(argument -> DETAILED_EXITCODE.matcher(argument).matches()));
    }
}
