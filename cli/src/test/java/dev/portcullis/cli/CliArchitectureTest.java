package dev.portcullis.cli;

import dev.portcullis.runtime.testing.PackageCycles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CLI's packages depend on each other without cycles: the commands on {@code call} (reaching the
 * suite, explaining failures) and {@code command} (exit statuses, arguments), the root command on them all.
 */
class CliArchitectureTest {

    @Test
    void packagesHaveNoCycles() {
        PackageCycles.assertNone(Path.of("target/classes"));
    }
}
