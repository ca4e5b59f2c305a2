package dev.portcullis.executor.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The secret capability is plain Java: gRPC, protobuf and Micronaut stay out, but for the config record. */
class SecretPackageBoundaryTest {
    static final Path SOURCES = Path.of("src/main/java/dev/portcullis/executor/secret");

    @Test
    void domainClassesImportNoTransportOrFrameworkTypes() throws IOException {
        List<String> offending;
        try (Stream<Path> files = Files.list(SOURCES)) {
            offending = files.filter(file -> file.toString().endsWith(".java"))
                    .flatMap(file -> imports(file).stream()
                            .filter(line -> line.startsWith("import io.grpc") || line.startsWith("import com.google.protobuf")
                                    || (line.startsWith("import io.micronaut") && !file.getFileName().toString().endsWith("Config.java")))
                            .map(line -> file.getFileName() + ": " + line))
                    .toList();
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
