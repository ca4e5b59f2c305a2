package dev.portcullis.audit.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SourcesConfigTest {
    static final String PREFIX = "portcullis.audit.sources.";

    @Test
    void theListenerIsOffAndEveryDefaultHoldsWhenNothingIsSet() {
        SourcesConfig config = ConfigBinding.bind(SourcesConfig.class, Map.of());

        assertEquals(new SourcesConfig("127.0.0.1", null, 1024 * 1024, Duration.ofMinutes(5), 4, null,
                Duration.ofSeconds(10), null, List.of(), Duration.ofSeconds(30), Duration.ofSeconds(30), 256), config);
        assertEquals(false, config.listenerEnabled());
    }

    @Test
    void everyKeyIsBound() {
        SourcesConfig config = ConfigBinding.bind(SourcesConfig.class, Map.ofEntries(
                Map.entry(PREFIX + "host", "0.0.0.0"),
                Map.entry(PREFIX + "port", "8443"),
                Map.entry(PREFIX + "max-body-bytes", "5MB"),
                Map.entry(PREFIX + "replay-window", "2m"),
                Map.entry(PREFIX + "threads", "8"),
                Map.entry(PREFIX + "catalog-file", "/etc/portcullis/catalog.yaml"),
                Map.entry(PREFIX + "catalog-reload-interval", "30s"),
                Map.entry(PREFIX + "catalog-repository", "https://github.com/acme/portcullis-catalog.git"),
                Map.entry(PREFIX + "protected-refs", "refs/heads/main,refs/tags/**"),
                Map.entry(PREFIX + "silence-check-interval", "1m"),
                Map.entry(PREFIX + "request-timeout", "10s"),
                Map.entry(PREFIX + "max-connections", "64")));

        assertEquals(new SourcesConfig("0.0.0.0", 8443, 5L * 1024 * 1024, Duration.ofMinutes(2), 8,
                Path.of("/etc/portcullis/catalog.yaml"), Duration.ofSeconds(30),
                "https://github.com/acme/portcullis-catalog.git", List.of("refs/heads/main", "refs/tags/**"),
                Duration.ofMinutes(1), Duration.ofSeconds(10), 64), config);
    }

    @Test
    void eachSourceIsBoundFromItsOwnKeys() {
        try (ApplicationContext context = ApplicationContext.builder().properties(Map.of(
                        PREFIX + "feeds.github-acme.kind", "github",
                        PREFIX + "feeds.github-acme.secret-file", "/run/secrets/github",
                        PREFIX + "feeds.github-acme.max-silence", "6h",
                        PREFIX + "feeds.jenkins.kind", "generic",
                        PREFIX + "feeds.jenkins.secret-env", "JENKINS_HOOK_SECRET"))
                .environmentPropertySource(false).deduceEnvironment(false).banner(false).start()) {
            List<SourceConfig> feeds = List.copyOf(context.getBeansOfType(SourceConfig.class));

            assertEquals(2, feeds.size());
            assertTrue(feeds.contains(new SourceConfig("github-acme", SourceKind.GITHUB, Path.of("/run/secrets/github"), null,
                    Duration.ofHours(6))), feeds.toString());
            assertTrue(feeds.contains(new SourceConfig("jenkins", SourceKind.GENERIC, null, "JENKINS_HOOK_SECRET", null)),
                    feeds.toString());
        }
    }

    @Test
    void aBadValueOfOneSourceIsRefusedNamingThatSourcesKey() {
        RuntimeException silence = assertThrows(RuntimeException.class, () -> {
            try (ApplicationContext context = ApplicationContext.builder().properties(Map.of(
                            PREFIX + "feeds.github-acme.kind", "github",
                            PREFIX + "feeds.github-acme.secret-file", "/run/secrets/github",
                            PREFIX + "feeds.github-acme.max-silence", "0s"))
                    .environmentPropertySource(false).deduceEnvironment(false).banner(false).start()) {
                context.getBeansOfType(SourceConfig.class);
            }
        });

        assertTrue(StartupFailure.describe(silence).contains(PREFIX + "feeds.github-acme.max-silence: must be a positive"
                + " duration (was 0s)"), StartupFailure.describe(silence));
    }

    @Test
    void aSourceNeedsExactlyOneSecretReference() {
        IllegalArgumentException neither = assertThrows(IllegalArgumentException.class,
                () -> new SourceConfig("github-acme", SourceKind.GITHUB, null, null, null));
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> new SourceConfig("github-acme", SourceKind.GITHUB, Path.of("/s"), "SECRET", null));

        assertEquals(PREFIX + "feeds.github-acme.secret-file or secret-env must be set, exactly one of them",
                neither.getMessage());
        assertEquals(neither.getMessage(), both.getMessage());
    }

    @Test
    void invalidSettingsAreRefusedNamingTheKey() {
        RuntimeException size = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(SourcesConfig.class, Map.of(PREFIX + "max-body-bytes", "100MB")));
        RuntimeException ref = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(SourcesConfig.class, Map.of(PREFIX + "protected-refs", "main")));
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> new SourceConfig("GitHub_Acme", SourceKind.GITHUB, Path.of("/s"), null, null));

        assertTrue(StartupFailure.describe(size).contains(PREFIX + "max-body-bytes: must be less than or equal to 26214400"),
                StartupFailure.describe(size));
        assertTrue(StartupFailure.describe(ref).contains(PREFIX + "protected-refs"), StartupFailure.describe(ref));
        assertTrue(name.getMessage().contains("must be 1-48 lowercase letters"), name.getMessage());
    }

    @Test
    void aProtectedRefThatIsNotACatalogRefPatternIsRefusedNamingTheKey() {
        RuntimeException ref = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(SourcesConfig.class, Map.of(PREFIX + "protected-refs", "refs/heads/a..*")));

        assertTrue(StartupFailure.describe(ref).contains(PREFIX + "protected-refs entry 'refs/heads/a..*'"),
                StartupFailure.describe(ref));
    }

    @Test
    void aSecretNeverPrints() {
        SourceSecret secret = new SourceSecret("a-secret-of-enough-length");

        assertEquals("SourceSecret[redacted]", secret.toString());
        assertTrue(secret.matches("a-secret-of-enough-length"));
        assertEquals(false, secret.matches("a-secret-of-enough-lengtH"));
        assertThrows(IllegalArgumentException.class, () -> new SourceSecret("short"));
    }
}
