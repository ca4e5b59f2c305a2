package dev.portcullis.console.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.TlsConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outside dev mode the console refuses the dev certificates and the DEV ONLY identity provider, naming each setting. */
class ConsoleProductionSafetyTest {
    @TempDir
    Path dir;

    private static ConsoleOidcConfig provider(String issuer, Path caFile) {
        return new ConsoleOidcConfig(URI.create(issuer), "portcullis-console", null, caFile, List.of("openid"), Duration.ofSeconds(10));
    }

    private TlsConfig productionTls() {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        return pki.tlsConfig(pki.issue("console", TestPki.id("console")), Duration.ofSeconds(10));
    }

    private DevPki devPki() {
        DevPki dev = new DevPki(dir.resolve("dev"));
        dev.init(Clock.systemUTC());
        return dev;
    }

    @Test
    void productionMaterialAndACompanyProviderPass() {
        List<String> problems = ConsoleProductionSafety.problems(productionTls(), provider("https://login.example.org/realms/acme", null));

        assertEquals(List.of(), problems);
    }

    @Test
    void aProviderTrustedThroughTheDevCaIsRefused() {
        List<String> problems = ConsoleProductionSafety.problems(productionTls(),
                provider("https://idp.example.org", devPki().caFile()));

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("portcullis.console.oidc.ca-file trusts the Portcullis dev CA"), problems.toString());
    }

    @Test
    void aProviderOnLoopbackIsRefused() {
        for (String issuer : List.of("https://127.0.0.1:8444", "https://localhost:8444", "https://[::1]:8444")) {
            List<String> problems = ConsoleProductionSafety.problems(productionTls(), provider(issuer, null));

            assertEquals(1, problems.size(), issuer + ": " + problems);
            assertTrue(problems.get(0).startsWith("portcullis.console.oidc.issuer-url " + issuer + " is on loopback"), problems.toString());
        }
    }

    @Test
    void theDevCertificatesAreRefused() {
        DevPki dev = devPki();
        TlsConfig tls = new TlsConfig(dev.certFile("console"), dev.keyFile("console"), dev.caFile(), Duration.ofSeconds(10));

        List<String> problems = ConsoleProductionSafety.problems(tls, provider("https://login.example.org", null));

        assertTrue(problems.stream().anyMatch(p -> p.startsWith("portcullis.tls.ca-file trusts the Portcullis dev CA")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("portcullis.tls.cert-file is a dev certificate")), problems.toString());
    }

    @Test
    void aConsoleStartedOnItsOwnWithDevModesMaterialRefusesToStartNamingTheSettings() {
        DevPki dev = devPki();
        Map<String, Object> properties = new HashMap<>();
        properties.put("portcullis.tls.cert-file", dev.certFile("console").toString());
        properties.put("portcullis.tls.key-file", dev.keyFile("console").toString());
        properties.put("portcullis.tls.ca-file", dev.caFile().toString());
        properties.put("portcullis.console.port", 0);
        properties.put("portcullis.console.public-url", "https://console.example.org");
        properties.put("portcullis.console.gateway-address", "gateway.example.org:8443");
        properties.put("portcullis.console.audit-address", "audit.example.org:8443");
        properties.put("portcullis.console.oidc.issuer-url", "https://127.0.0.1:8444");
        properties.put("portcullis.console.oidc.client-id", "portcullis-console");
        properties.put("portcullis.console.oidc.ca-file", dev.caFile().toString());

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> ConsoleLauncher.start(properties, true));

        String message = refused.getMessage();
        assertTrue(message.startsWith("refusing to start outside dev mode: "), message);
        assertTrue(message.contains("portcullis.console.oidc.issuer-url https://127.0.0.1:8444 is on loopback"), message);
        assertTrue(message.contains("portcullis.console.oidc.ca-file trusts the Portcullis dev CA"), message);
        assertTrue(message.contains("portcullis.tls.cert-file is a dev certificate"), message);
        assertTrue(message.endsWith("(for development use `portcullis dev`)"), message);
    }
}
