package dev.portcullis.executor.task;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One step of a task's command: an argv run without a shell.
 *
 * @param argv 1-64 arguments of at most 4096 bytes (UTF-8), without NUL
 * @param detailedExitcode whether the step is a {@code plan -detailed-exitcode}: exit code 2 means
 *     "succeeded, the plan has changes"
 */
public record TaskStep(List<String> argv, boolean detailedExitcode) {
    public static final int MAX_ARGUMENTS = 64;
    public static final int MAX_ARGUMENT_BYTES = 4096;
    /** Above this many characters the log line naming a step stops listing its arguments. */
    private static final int DESCRIBED_CHARACTERS = 1024;

    public TaskStep {
        argv = List.copyOf(requireNonNull(argv, "argv is null"));
        if (argv.isEmpty() || argv.size() > MAX_ARGUMENTS || argv.stream().anyMatch(a -> !validArgument(a))) {
            throw new IllegalArgumentException("argv must hold 1-64 arguments of at most 4096 bytes, without NUL");
        }
    }

    /** A plain step: only exit code 0 is success. */
    public static TaskStep of(List<String> argv) {
        return new TaskStep(argv, false);
    }

    /** Whether {@code argument} may be one argument of a step. */
    public static boolean validArgument(String argument) {
        return argument.indexOf('\0') < 0 && argument.getBytes(UTF_8).length <= MAX_ARGUMENT_BYTES;
    }

    /** Whether the step succeeded when it exited with {@code exitCode}. */
    public boolean succeeded(int exitCode) {
        return exitCode == 0 || detailedExitcode && exitCode == 2;
    }

    /**
     * The task's log line announcing this step, e.g. {@code step 2/4: terraform plan -out=plan.tfplan}.
     * Arguments are listed whole, never cut, so the log's redaction sees every secret value whole;
     * past about 1024 characters the rest is only counted.
     */
    public String describe(int position, int count) {
        StringBuilder line = new StringBuilder("step ").append(position).append('/').append(count).append(':');
        int listed = 0;
        for (String argument : argv) {
            if (listed > 0 && line.length() + argument.length() > DESCRIBED_CHARACTERS) {
                break;
            }
            line.append(' ').append(argument);
            listed++;
        }
        if (listed < argv.size()) {
            line.append(" … (").append(argv.size() - listed).append(" more arguments)");
        }
        return line.toString();
    }
}
