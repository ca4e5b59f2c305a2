package dev.portcullis.catalog;

import dev.portcullis.runtime.testing.PackageBoundary;
import dev.portcullis.runtime.testing.PackageCycles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * STYLE.md §1: the catalog is domain code every service shares, so all of it is plain Java.
 * Packages depend on each other without cycles.
 */
class CatalogArchitectureTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "condition"})
    void domainPackagesImportNoTransportOrFramework(String pkg) {
        PackageBoundary.assertPlainJava(Path.of("src/main/java/dev/portcullis/catalog", pkg));
    }

    @Test
    void packagesHaveNoCycles() {
        PackageCycles.assertNone(Path.of("target/classes"));
    }
}
