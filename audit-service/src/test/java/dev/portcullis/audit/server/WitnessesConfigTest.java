package dev.portcullis.audit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WitnessesConfigTest {
    static final String PREFIX = "portcullis.audit.witnesses.";
    static final String WITH_TOKEN = "https://witness.example.org:8443/t/s3cr3t-token";

    @Test
    void noWitnessIsConfiguredAndEveryDefaultHoldsWhenNothingIsSet() {
        WitnessesConfig config = ConfigBinding.bind(WitnessesConfig.class, Map.of());

        assertEquals(new WitnessesConfig(List.of(), null, Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(1),
                Duration.ofMinutes(5), 5), config);
        assertEquals(List.of(), config.webhooks());
    }

    @Test
    void everyKeyIsBound() {
        WitnessesConfig config = ConfigBinding.bind(WitnessesConfig.class, Map.of(
                PREFIX + "webhook-urls", "https://witness.example.org/a,https://witness.example.net/",
                PREFIX + "ca-file", "/etc/portcullis/witness-ca.pem",
                PREFIX + "timeout", "3s",
                PREFIX + "poll-interval", "1s",
                PREFIX + "initial-backoff", "2s",
                PREFIX + "max-backoff", "1h",
                PREFIX + "alert-after-failures", "10"));

        assertEquals(new WitnessesConfig(List.of("https://witness.example.org/a", "https://witness.example.net/"),
                Path.of("/etc/portcullis/witness-ca.pem"), Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofHours(1), 10), config);
    }

    @Test
    void aWitnessIsNamedByHostPortAndADigestSoItsNameSurvivesReorderingAndNeverShowsThePath() {
        WitnessesConfig one = ConfigBinding.bind(WitnessesConfig.class, Map.of(PREFIX + "webhook-urls",
                WITH_TOKEN + ",https://witness.example.net/"));
        WitnessesConfig reordered = ConfigBinding.bind(WitnessesConfig.class, Map.of(PREFIX + "webhook-urls",
                "https://witness.example.net/," + WITH_TOKEN));

        WitnessesConfig.Webhook withToken = one.webhooks().get(0);

        assertEquals(withToken, reordered.webhooks().get(1));
        assertEquals(URI.create(WITH_TOKEN), withToken.url());
        assertEquals("witness.example.org:8443/", withToken.name().substring(0, "witness.example.org:8443/".length()));
        assertFalse(one.toString().contains("s3cr3t"), one.toString());
    }

    @Test
    void aPlainHttpWitnessIsRefusedNamingTheKeyButNotTheUrl() {
        RuntimeException refused = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(WitnessesConfig.class,
                Map.of(PREFIX + "webhook-urls", "http://witness.example.org/t/s3cr3t-token")));

        String message = StartupFailure.describe(refused);
        assertEquals(true, message.contains(PREFIX + "webhook-urls[0] must be an absolute https:// URL with a host"), message);
        assertFalse(message.contains("s3cr3t"), message);
    }
}
