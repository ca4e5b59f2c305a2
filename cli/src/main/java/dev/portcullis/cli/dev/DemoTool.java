package dev.portcullis.cli.dev;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The infrastructure tool dev mode's demo runs: Terraform or OpenTofu, found on {@code PATH}. Without
 * either the demo runs small {@code sh} scripts instead.
 *
 * @param command the command the dev catalog runs, {@code terraform} or {@code tofu}; also the
 *     catalog's {@code summary:} value
 * @param binary where it was found
 */
public record DemoTool(String command, Path binary) {
    private static final List<String> COMMANDS = List.of("terraform", "tofu");

    public DemoTool {
        if (!COMMANDS.contains(requireNonNull(command, "command is null"))) {
            throw new IllegalArgumentException("the demo tool must be one of " + COMMANDS);
        }
        requireNonNull(binary, "binary is null");
    }

    /** The first of {@code terraform} and {@code tofu} on this process's {@code PATH}. */
    public static Optional<DemoTool> onPath() {
        return onPath(Optional.ofNullable(System.getenv("PATH")).orElse(""));
    }

    /** The first of {@code terraform} and {@code tofu} on {@code path} (directories separated as the platform does). */
    static Optional<DemoTool> onPath(String path) {
        for (String command : COMMANDS) {
            Optional<DemoTool> found = find(command, path);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** {@code command} ({@code terraform} or {@code tofu}) on this process's {@code PATH}. */
    public static Optional<DemoTool> named(String command) {
        return find(command, Optional.ofNullable(System.getenv("PATH")).orElse(""));
    }

    private static Optional<DemoTool> find(String command, String path) {
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir).resolve(command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(new DemoTool(command, candidate.toAbsolutePath()));
            }
        }
        return Optional.empty();
    }
}
