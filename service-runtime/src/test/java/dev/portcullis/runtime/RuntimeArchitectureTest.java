package dev.portcullis.runtime;

import dev.portcullis.runtime.testing.PackageCycles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The runtime module's packages depend on each other without cycles. */
class RuntimeArchitectureTest {

    @Test
    void packagesHaveNoCycles() {
        PackageCycles.assertNone(Path.of("target/classes"));
    }
}
