package dev.portcullis.audit;

import dev.portcullis.runtime.testing.PackageBoundary;
import dev.portcullis.runtime.testing.PackageCycles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * STYLE.md §1: domain packages are plain Java; gRPC and protobuf stay in api, Micronaut in server and config records.
 * Packages depend on each other without cycles.
 */
class AuditArchitectureTest {

    @ParameterizedTest
    @ValueSource(strings = {"alert", "alert/delivery", "catalog", "chain", "ingest", "source", "source/listener", "store", "witness", "witness/s3"})
    void domainPackagesImportNoTransportOrFramework(String pkg) {
        PackageBoundary.assertPlainJava(Path.of("src/main/java/dev/portcullis/audit", pkg));
    }

    @Test
    void packagesHaveNoCycles() {
        PackageCycles.assertNone(Path.of("target/classes"));
    }
}
