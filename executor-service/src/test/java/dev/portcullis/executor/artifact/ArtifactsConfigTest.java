package dev.portcullis.executor.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ArtifactsConfigTest {
    private static final String P = "portcullis.executor.artifacts.";

    @Test
    void anEmptyEnvironmentMeansALocalDirectoryUnderTheWorkDir() {
        ArtifactsConfig config = ConfigBinding.bind(ArtifactsConfig.class, Map.of());

        assertFalse(config.usesS3());
        assertEquals(Optional.empty(), config.directory());
        assertEquals("portcullis/artifacts/", config.s3Prefix());
        assertEquals(Optional.empty(), config.s3Endpoint());
    }

    @Test
    void theDirectoryIsBound() {
        ArtifactsConfig config = ConfigBinding.bind(ArtifactsConfig.class, Map.of(P + "dir", "/var/lib/portcullis/artifacts"));

        assertEquals(Optional.of(Path.of("/var/lib/portcullis/artifacts")), config.directory());
    }

    @Test
    void everyS3KeyIsBound() {
        ArtifactsConfig config = ConfigBinding.bind(ArtifactsConfig.class, Map.of(
                P + "s3-bucket", "acme-portcullis-plans",
                P + "s3-prefix", "prod/plans/",
                P + "s3-region", "eu-central-1",
                P + "s3-endpoint-override", "http://127.0.0.1:9000"));

        assertTrue(config.usesS3());
        assertEquals("acme-portcullis-plans", config.s3Bucket());
        assertEquals("prod/plans/", config.s3Prefix());
        assertEquals("eu-central-1", config.s3Region());
        assertEquals(Optional.of(URI.create("http://127.0.0.1:9000")), config.s3Endpoint());
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                Arguments.of(Map.of(P + "s3-bucket", "plans", P + "s3-region", "eu-central-1", P + "dir", "/x"),
                        "set either " + P + "dir or " + P + "s3-bucket, not both"),
                Arguments.of(Map.of(P + "s3-bucket", "plans"),
                        P + "s3-region is required with " + P + "s3-bucket: an AWS region name such as eu-central-1"),
                Arguments.of(Map.of(P + "s3-region", "eu-central-1"),
                        P + "s3-region is set but " + P + "s3-bucket is not: set the bucket too, or remove it"),
                Arguments.of(Map.of(P + "s3-bucket", "Plans_Bucket", P + "s3-region", "eu-central-1"),
                        P + "s3-bucket must be an S3 bucket name (3-63 lowercase letters, digits, '.', '-')"),
                Arguments.of(Map.of(P + "s3-prefix", "/plans"),
                        P + "s3-prefix must be empty or segments of letters, digits, '.', '_', '-' each ending in '/', e.g. portcullis/artifacts/"),
                Arguments.of(Map.of(P + "s3-bucket", "plans", P + "s3-region", "eu-central-1", P + "s3-endpoint-override", "ftp://x"),
                        P + "s3-endpoint-override must be an http(s):// URL with a host and no user info"));
    }

    @ParameterizedTest
    @MethodSource("invalidSettings")
    void invalidSettingsStopStartupNamingTheProperty(Map<String, Object> settings, String expected) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(ArtifactsConfig.class, settings));

        assertEquals(expected, StartupFailure.describe(e));
    }
}
