package dev.portcullis.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The architecture rule of STYLE.md §1: domain packages import nothing from gRPC, protobuf or
 * Micronaut; only configuration records ({@code *Config.java}) may use Micronaut's annotations.
 */
public final class PackageBoundary {
    private PackageBoundary() {}

    /** Fails listing every offending import in the {@code .java} files directly in {@code sources}. */
    public static void assertPlainJava(Path sources) {
        List<String> offending;
        try (Stream<Path> files = Files.list(sources)) {
            offending = files.filter(file -> file.toString().endsWith(".java"))
                    .flatMap(file -> imports(file).stream()
                            .filter(line -> line.startsWith("import io.grpc") || line.startsWith("import com.google.protobuf")
                                    || (line.startsWith("import io.micronaut")
                                            && !file.getFileName().toString().endsWith("Config.java")))
                            .map(line -> file.getFileName() + ": " + line))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertEquals(List.of(), offending);
    }

    private static List<String> imports(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::strip).filter(line -> line.startsWith("import ")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
