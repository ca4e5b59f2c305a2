package dev.portcullis.audit.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The alert capability is plain Java: gRPC, protobuf and Micronaut stay out, but for config records. */
class AlertPackageBoundaryTest {
    static final Path SOURCES = Path.of("src/main/java/dev/portcullis/audit/alert");

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
            throw new java.io.UncheckedIOException(e);
        }
    }
}
