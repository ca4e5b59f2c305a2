package dev.portcullis.gateway;

import dev.portcullis.runtime.testing.PackageBoundary;
import dev.portcullis.runtime.testing.PackageCycles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * STYLE.md §1: domain packages are plain Java; gRPC and protobuf stay in api and client, Micronaut in server;
 * and the packages depend on each other in one direction only.
 */
class GatewayArchitectureTest {

    @ParameterizedTest
    @ValueSource(strings = {"run", "drift", "store", "store/jdbc", "approval"})
    void domainPackagesImportNoTransportOrFramework(String pkg) {
        PackageBoundary.assertPlainJava(Path.of("src/main/java/dev/portcullis/gateway", pkg));
    }

    @Test
    void packagesHaveNoCycles() {
        PackageCycles.assertNone(Path.of("target/classes"));
    }
}
