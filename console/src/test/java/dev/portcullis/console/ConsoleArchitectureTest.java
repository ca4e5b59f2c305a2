package dev.portcullis.console;

import dev.portcullis.runtime.testing.PackageBoundary;
import dev.portcullis.runtime.testing.PackageCycles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The console's shape (STYLE.md §1): sign-in, the web server and the dev identity provider are
 * plain Java, free of gRPC, protobuf and Micronaut; only {@code api} calls the services, and the
 * pages ({@code runs}, {@code audit}) read the contract's messages they show; no package cycles.
 */
class ConsoleArchitectureTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/portcullis/console");

    @Test
    void signInWebAndTheDevIdentityProviderArePlainJava() {
        PackageBoundary.assertPlainJava(SOURCES.resolve("signin"));
        PackageBoundary.assertPlainJava(SOURCES.resolve("web"));
        PackageBoundary.assertPlainJava(SOURCES.resolve("devidp"));
    }

    @Test
    void packagesHaveNoCycles() {
        PackageCycles.assertNone(Path.of("target/classes"));
    }
}
