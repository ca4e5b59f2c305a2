package dev.portcullis.catalog;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Whatever bytes arrive as a catalog, the loader either returns a catalog or refuses it with at
 * least one located problem: no other exception, no hang, no half-built catalog.
 *
 * <p>Plain {@code mvn verify} replays the inputs under
 * {@code src/test/resources/dev/portcullis/catalog/CatalogLoaderFuzzTestInputs/}. To fuzz:
 *
 * <pre>{@code
 * JAZZER_FUZZ=1 JAZZER_MAX_DURATION=10m mvn -B -pl catalog -am test -Djazzer.hooks=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtest='CatalogLoaderFuzzTest'
 * }</pre>
 */
class CatalogLoaderFuzzTest {
    private final CatalogLoader loader = new CatalogLoader();

    @FuzzTest(maxDuration = "30s")
    void catalogIsLoadedOrRefusedWithLocatedProblems(byte[] input) {
        try {
            Catalog catalog = loader.load("fuzz.yaml", input);

            assertFalse(catalog.content().isEmpty());
        } catch (CatalogRejectedException refused) {
            assertFalse(refused.problems().isEmpty());
            for (CatalogProblem problem : refused.problems()) {
                assertTrue(problem.location().line() >= 0 && problem.location().column() >= 0, problem.toString());
                assertFalse(problem.message().isBlank(), problem.toString());
            }
        }
    }
}
