package dev.portcullis.executor.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.executor.artifact.ArtifactsConfig;
import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutorConfigTest {
    private static final String P = "portcullis.executor.";

    @Test
    void anEmptyEnvironmentGivesEveryDefault() {
        ExecutorConfig config = ConfigBinding.bind(ExecutorConfig.class, Map.of());

        assertEquals(new ExecutorConfig(Path.of(".portcullis/executor"), 4, "local", 10_000), config);
        assertEquals(ExecutorConfig.Backend.LOCAL, config.backendKind());
    }

    @Test
    void theEcsBackendWithArtifactsInALocalDirectoryStopsStartupNamingTheKeys() {
        ExecutorConfig config = ConfigBinding.bind(ExecutorConfig.class, Map.of(P + "backend", "ecs"));
        ArtifactsConfig artifacts = ConfigBinding.bind(ArtifactsConfig.class, Map.of(P + "artifacts.dir", "/srv/artifacts"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExecutorServerFactory.requireS3ForEcs(config, artifacts));

        assertTrue(e.getMessage().contains("portcullis.executor.backend=ecs"), e.getMessage());
        assertTrue(e.getMessage().contains("portcullis.executor.artifacts.s3-bucket"), e.getMessage());
        assertTrue(e.getMessage().contains("portcullis.executor.artifacts.s3-region"), e.getMessage());
        assertTrue(e.getMessage().contains("portcullis.executor.artifacts.dir"), e.getMessage());
    }

    @Test
    void theBackendKeyAloneSelectsTheEcsBackend() {
        assertEquals(ExecutorConfig.Backend.ECS, ecsBackend().backendKind());
    }

    @Test
    void theEcsBackendWithArtifactsInS3PassesTheStartupCheck() {
        assertDoesNotThrow(() -> ExecutorServerFactory.requireS3ForEcs(ecsBackend(), artifactsInS3()));
    }

    @Test
    void theEcsBackendWithNoArtifactSettingsStopsStartup() {
        ArtifactsConfig defaults = ConfigBinding.bind(ArtifactsConfig.class, Map.of());

        assertThrows(IllegalArgumentException.class, () -> ExecutorServerFactory.requireS3ForEcs(ecsBackend(), defaults));
    }

    @Test
    void theLocalBackendWithArtifactsInALocalDirectoryPassesTheStartupCheck() {
        ArtifactsConfig directory = ConfigBinding.bind(ArtifactsConfig.class, Map.of(P + "artifacts.dir", "/srv/artifacts"));

        assertDoesNotThrow(() -> ExecutorServerFactory.requireS3ForEcs(localBackend(), directory));
    }

    @Test
    void theLocalBackendWithArtifactsInS3PassesTheStartupCheck() {
        assertDoesNotThrow(() -> ExecutorServerFactory.requireS3ForEcs(localBackend(), artifactsInS3()));
    }

    private static ExecutorConfig ecsBackend() {
        return ConfigBinding.bind(ExecutorConfig.class, Map.of(P + "backend", "ecs"));
    }

    private static ExecutorConfig localBackend() {
        return ConfigBinding.bind(ExecutorConfig.class, Map.of(P + "backend", "local"));
    }

    private static ArtifactsConfig artifactsInS3() {
        return ConfigBinding.bind(ArtifactsConfig.class, Map.of(
                P + "artifacts.s3-bucket", "portcullis-artifacts", P + "artifacts.s3-region", "eu-central-1"));
    }

    @Test
    void everyKeyIsBound() {
        ExecutorConfig config = ConfigBinding.bind(ExecutorConfig.class, Map.of(
                P + "work-dir", "/var/lib/portcullis/executor",
                P + "max-concurrent-tasks", "8",
                P + "backend", "ecs",
                P + "log-lines-in-memory", "500"));

        assertEquals(new ExecutorConfig(Path.of("/var/lib/portcullis/executor"), 8, "ecs", 500), config);
        assertEquals(ExecutorConfig.Backend.ECS, config.backendKind());
    }

    @Test
    void anUnknownBackendStopsStartup() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(ExecutorConfig.class, Map.of(P + "backend", "kubernetes")));

        assertEquals(P + "backend must be local or ecs", StartupFailure.describe(e));
    }

    @Test
    void tooFewLinesInMemoryStopStartup() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(ExecutorConfig.class, Map.of(P + "log-lines-in-memory", "10")));

        assertEquals(P + "log-lines-in-memory: must be greater than or equal to 100 (was 10)", StartupFailure.describe(e));
    }
}
