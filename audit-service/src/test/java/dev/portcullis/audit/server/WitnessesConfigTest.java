package dev.portcullis.audit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.witness.CosignerKey;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WitnessesConfigTest {
    static final String PREFIX = "portcullis.audit.witnesses.";
    static final String WITH_TOKEN = "https://witness.example.org:8443/t/s3cr3t-token";
    /** A cosignature/v1 verifier key: name, SHA-256(name || 0x0A || 0x04 || key)[:4] in hex, base64(0x04 || key). */
    static final String WITNESS_KEY = verifierKey("witness.example.org/w1",
            HexFormat.of().parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")); // RFC 8032, test 1

    static String verifierKey(String name, byte[] rawKey) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((name + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update((byte) 0x04);
            byte[] material = new byte[33];
            material[0] = 0x04;
            System.arraycopy(rawKey, 0, material, 1, 32);
            return name + "+" + HexFormat.of().formatHex(sha.digest(rawKey), 0, 4) + "+" + Base64.getEncoder().encodeToString(material);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void noWitnessIsConfiguredAndEveryDefaultHoldsWhenNothingIsSet() {
        WitnessesConfig config = ConfigBinding.bind(WitnessesConfig.class, Map.of());

        assertEquals(new WitnessesConfig(List.of(), List.of(), null, Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(1),
                Duration.ofMinutes(5), 5), config);
        assertEquals(List.of(), config.webhooks());
    }

    @Test
    void everyKeyIsBound() {
        WitnessesConfig config = ConfigBinding.bind(WitnessesConfig.class, Map.of(
                PREFIX + "webhook-urls", "https://witness.example.org/a,https://witness.example.net/",
                PREFIX + "webhook-verifier-keys", WITNESS_KEY + ",none",
                PREFIX + "ca-file", "/etc/portcullis/witness-ca.pem",
                PREFIX + "timeout", "3s",
                PREFIX + "poll-interval", "1s",
                PREFIX + "initial-backoff", "2s",
                PREFIX + "max-backoff", "1h",
                PREFIX + "alert-after-failures", "10"));

        assertEquals(new WitnessesConfig(List.of("https://witness.example.org/a", "https://witness.example.net/"),
                List.of(WITNESS_KEY, "none"),
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
    void eachWebhookGetsTheVerifierKeyInItsPositionAndNoneChecksNothing() {
        WitnessesConfig config = ConfigBinding.bind(WitnessesConfig.class, Map.of(
                PREFIX + "webhook-urls", "https://witness.example.org/a,https://witness.example.net/",
                PREFIX + "webhook-verifier-keys", WITNESS_KEY + ",none"));

        List<WitnessesConfig.Webhook> webhooks = config.webhooks();

        assertEquals(List.of(CosignerKey.parse(WITNESS_KEY)), webhooks.get(0).cosigners());
        assertEquals(List.of(), webhooks.get(1).cosigners());
    }

    @Test
    void verifierKeysThatDoNotPairWithTheUrlsAreRefusedNamingBothKeys() {
        RuntimeException refused = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(WitnessesConfig.class, Map.of(
                PREFIX + "webhook-urls", "https://witness.example.org/a,https://witness.example.net/",
                PREFIX + "webhook-verifier-keys", WITNESS_KEY)));

        String message = StartupFailure.describe(refused);
        assertTrue(message.contains(PREFIX + "webhook-verifier-keys must have one entry (a verifier key or none) for each of "
                + PREFIX + "webhook-urls"), message);
    }

    @Test
    void aVerifierKeyWithAWrongHashIsRefusedNamingItsPosition() {
        String wrong = WITNESS_KEY.replaceFirst("\\+[0-9a-f]{8}\\+", "+00000000+");

        RuntimeException refused = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(WitnessesConfig.class, Map.of(
                PREFIX + "webhook-urls", "https://witness.example.org/a",
                PREFIX + "webhook-verifier-keys", wrong)));

        String message = StartupFailure.describe(refused);
        assertTrue(message.contains(PREFIX + "webhook-verifier-keys[0]: a verifier key's hash does not match"), message);
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
