package dev.portcullis.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.gateway.server.GatewayMain;
import dev.portcullis.runtime.testing.PackageBoundary;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * STYLE.md §1: domain packages are plain Java; gRPC and protobuf stay in api and neighbour, Micronaut in server;
 * and the packages depend on each other in one direction only.
 */
class GatewayArchitectureTest {

    @ParameterizedTest
    @ValueSource(strings = {"run", "store", "store/jdbc", "approval"})
    void domainPackagesImportNoTransportOrFramework(String pkg) {
        PackageBoundary.assertPlainJava(Path.of("src/main/java/dev/portcullis/gateway", pkg));
    }

    @Test
    void packagesFormNoCycle() throws URISyntaxException {
        Path classes = Path.of(GatewayMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());

        PackageGraph graph = PackageGraph.ofClasses(classes, "dev.portcullis.gateway");

        assertEquals(Set.of(), graph.cycles());
    }

    @Test
    void aCycleThroughThreePackagesIsFoundOnce() {
        PackageGraph graph = new PackageGraph(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a")));

        Set<Set<String>> cycles = graph.cycles();

        assertEquals(Set.of(Set.of("a", "b", "c")), cycles);
    }
}
