package dev.portcullis.executor.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VaultConfigTest {
    private static final String P = "portcullis.executor.vault.";

    @Test
    void anEmptyEnvironmentMeansNoVaultAndEveryDefault() {
        VaultConfig config = ConfigBinding.bind(VaultConfig.class, Map.of());

        assertEquals(new VaultConfig(null, null, null, null, "secret", Duration.ofSeconds(10), null), config);
        assertFalse(config.isConfigured());
    }

    @Test
    void everyKeyIsBound() {
        Map<String, Object> properties = Map.of(
                P + "address", "https://vault.example:8200/",
                P + "approle-role-id", "portcullis-executor",
                P + "approle-secret-id-file", "/run/secrets/vault-secret-id",
                P + "kv-mount", "kv/prod",
                P + "timeout", "3s",
                P + "ca-file", "/etc/portcullis/vault-ca.pem");

        VaultConfig config = ConfigBinding.bind(VaultConfig.class, properties);

        assertEquals("https://vault.example:8200", config.address());
        assertEquals("portcullis-executor", config.approleRoleId());
        assertEquals(Path.of("/run/secrets/vault-secret-id"), config.approleSecretIdFile());
        assertEquals("kv/prod", config.kvMount());
        assertEquals(Duration.ofSeconds(3), config.timeout());
        assertEquals(Path.of("/etc/portcullis/vault-ca.pem"), config.caFile());
        assertTrue(config.isConfigured());
    }

    @Test
    void theTokenFileIsBound() {
        Map<String, Object> properties = Map.of(
                P + "address", "http://127.0.0.1:8200",
                P + "token-file", "/run/secrets/vault-token");

        VaultConfig config = ConfigBinding.bind(VaultConfig.class, properties);

        assertEquals(Path.of("/run/secrets/vault-token"), config.tokenFile());
        assertEquals("http://127.0.0.1:8200", config.address());
    }

    @Test
    void toStringDoesNotShowTheRoleId() {
        VaultConfig config = new VaultConfig("https://vault.example", null, "role-id-4f2a9c", Path.of("/s"), "secret",
                Duration.ofSeconds(10), null);

        assertFalse(config.toString().contains("role-id-4f2a9c"), config.toString());
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                Arguments.of(Map.of(P + "token-file", "/t"),
                        P + "token-file is set but " + P + "address is not: set the address of Vault too, or remove it"),
                Arguments.of(Map.of(P + "address", "https://vault.example:8200"),
                        P + "token-file, or " + P + "approle-role-id with " + P + "approle-secret-id-file, is required when "
                                + P + "address is set"),
                Arguments.of(Map.of(P + "address", "https://vault.example", P + "token-file", "/t",
                                P + "approle-role-id", "r", P + "approle-secret-id-file", "/s"),
                        "set either " + P + "token-file or " + P + "approle-role-id with " + P
                                + "approle-secret-id-file, not both"),
                Arguments.of(Map.of(P + "address", "https://vault.example", P + "approle-role-id", "r"),
                        P + "approle-secret-id-file is required with " + P
                                + "approle-role-id: the file holding the AppRole secret id"),
                Arguments.of(Map.of(P + "address", "https://vault.example", P + "approle-secret-id-file", "/s"),
                        P + "approle-role-id is required with " + P + "approle-secret-id-file"),
                Arguments.of(Map.of(P + "address", "https://vault.example", P + "approle-role-id", "r o",
                                P + "approle-secret-id-file", "/s"),
                        P + "approle-role-id must be 1-256 letters, digits, '.', '_' or '-'"),
                Arguments.of(Map.of(P + "address", "http://vault.example:8200", P + "token-file", "/t"),
                        P + "address must use https:// (http:// is allowed to a loopback address only)"),
                Arguments.of(Map.of(P + "address", "https://user:pw@vault.example", P + "token-file", "/t"),
                        P + "address must be scheme, host and port only, e.g. https://vault.example:8200"),
                Arguments.of(Map.of(P + "address", "https://vault.example/v1", P + "token-file", "/t"),
                        P + "address must be scheme, host and port only, e.g. https://vault.example:8200"),
                Arguments.of(Map.of(P + "address", "vault.example:8200", P + "token-file", "/t"),
                        P + "address must be an absolute https:// URL with a host, e.g. https://vault.example:8200"),
                Arguments.of(Map.of(P + "kv-mount", "/secret/"),
                        P + "kv-mount must be a mount path such as secret or kv/prod, without leading or trailing '/'"),
                Arguments.of(Map.of(P + "timeout", "0s"),
                        P + "timeout: must be a positive duration of at most 5m (was 0s)"),
                Arguments.of(Map.of(P + "timeout", "6m"),
                        P + "timeout: must be a positive duration of at most 5m (was 6m)"));
    }

    @ParameterizedTest
    @MethodSource("invalidSettings")
    void invalidSettingsStopStartupNamingTheProperty(Map<String, Object> settings, String expected) {
        Map<String, Object> properties = new HashMap<>(settings);

        RuntimeException e = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(VaultConfig.class, properties));

        assertEquals(expected, StartupFailure.describe(e));
    }
}
