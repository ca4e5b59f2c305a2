package dev.portcullis.console.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import dev.portcullis.runtime.testing.TestPki;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleConfigTest {
    @TempDir
    Path dir;
    private static final Map<String, Object> REQUIRED = Map.of(
            "portcullis.console.public-url", "https://console.example.org",
            "portcullis.console.gateway-address", "gateway:8443",
            "portcullis.console.audit-address", "audit:8443");

    @Test
    void onlyTheRequiredKeysGiveEveryDefault() {
        ConsoleConfig config = ConfigBinding.bind(ConsoleConfig.class, REQUIRED);

        assertEquals("0.0.0.0", config.host());
        assertEquals(8443, config.port());
        assertEquals(Duration.ofMinutes(30), config.sessionIdleTimeout());
        assertEquals(Duration.ofSeconds(10), config.callTimeout());
        assertEquals(URI.create("https://console.example.org/signin/callback"), config.redirectUri());
    }

    @Test
    void everyKeyIsBound() {
        ConsoleConfig config = ConfigBinding.bind(ConsoleConfig.class, Map.of(
                "portcullis.console.host", "127.0.0.1",
                "portcullis.console.port", "9443",
                "portcullis.console.public-url", "https://console.example.org/",
                "portcullis.console.gateway-address", "gateway:8443",
                "portcullis.console.audit-address", "audit:8443",
                "portcullis.console.session-idle-timeout", "1h",
                "portcullis.console.call-timeout", "20s"));

        assertEquals(List.of("127.0.0.1", 9443, "gateway:8443", "audit:8443", Duration.ofHours(1), Duration.ofSeconds(20)),
                List.of(config.host(), config.port(), config.gatewayAddress(), config.auditAddress(), config.sessionIdleTimeout(),
                        config.callTimeout()));
    }

    @Test
    void aMissingPublicUrlStopsStartupNamingTheKey() {
        RuntimeException refused = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(ConsoleConfig.class, Map.of("portcullis.console.gateway-address", "g:1",
                        "portcullis.console.audit-address", "a:1")));

        assertTrue(StartupFailure.describe(refused).contains("portcullis.console.public-url"), StartupFailure.describe(refused));
    }

    @Test
    void aConsoleWithoutASpoolDirectoryStopsStartupNamingTheKey() {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        TestPki.Credential console = pki.issue("console", TestPki.id("console"));
        Map<String, Object> properties = new HashMap<>(REQUIRED);
        properties.put("portcullis.tls.cert-file", console.certFile().toString());
        properties.put("portcullis.tls.key-file", console.keyFile().toString());
        properties.put("portcullis.tls.ca-file", pki.caFile().toString());
        properties.put("portcullis.console.port", 0);
        properties.put("portcullis.console.oidc.issuer-url", "https://login.example.org");
        properties.put("portcullis.console.oidc.client-id", "portcullis-console");

        RuntimeException refused = assertThrows(RuntimeException.class, () -> ConsoleLauncher.start(properties, false));

        assertTrue(StartupFailure.describe(refused).startsWith("portcullis.audit-outbox.spool-dir is required"),
                StartupFailure.describe(refused));
    }

    @Test
    void theOidcKeysAreBoundWithTheirDefaults() {
        ConsoleOidcConfig config = ConfigBinding.bind(ConsoleOidcConfig.class, Map.of(
                "portcullis.console.oidc.issuer-url", "https://login.example.org",
                "portcullis.console.oidc.client-id", "console"));

        assertEquals(List.of("openid", "profile", "email"), config.scopes());
        assertEquals(Duration.ofSeconds(10), config.fetchTimeout());
        assertEquals(null, config.clientSecretFile());
    }

    @Test
    void everyOidcKeyIsBound() {
        ConsoleOidcConfig config = ConfigBinding.bind(ConsoleOidcConfig.class, Map.of(
                "portcullis.console.oidc.issuer-url", "https://login.example.org/tenant",
                "portcullis.console.oidc.client-id", "console",
                "portcullis.console.oidc.client-secret-file", "/run/secrets/console-client",
                "portcullis.console.oidc.ca-file", "/etc/ca.pem",
                "portcullis.console.oidc.scopes", "openid,email",
                "portcullis.console.oidc.fetch-timeout", "3s"));

        assertEquals(List.of(URI.create("https://login.example.org/tenant"), "console", Path.of("/run/secrets/console-client"),
                Path.of("/etc/ca.pem"), List.of("openid", "email"), Duration.ofSeconds(3)),
                List.of(config.issuerUrl(), config.clientId(), config.clientSecretFile(), config.caFile(), config.scopes(),
                        config.fetchTimeout()));
    }
}
