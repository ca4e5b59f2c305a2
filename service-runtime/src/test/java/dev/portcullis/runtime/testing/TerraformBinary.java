package dev.portcullis.runtime.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The real {@code terraform} binary for tests that run it. Such a test is skipped with a message
 * when {@code terraform} is not on PATH, except under {@code CI=true}, where it fails: CI must
 * never skip them quietly.
 */
public final class TerraformBinary {
    private TerraformBinary() {}

    /** {@code terraform} on PATH; skips (or, under CI=true, fails) the calling test without it. */
    public static Path required() {
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "terraform"))
                .filter(file -> Files.isRegularFile(file) && Files.isExecutable(file))
                .findFirst();
        if (found.isEmpty()) {
            String message = "terraform is not on PATH; install Terraform 1.x to run this test";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(message + " (under CI=true Terraform tests must not be skipped)");
            }
            Assumptions.abort(message);
        }
        return found.get();
    }
}
