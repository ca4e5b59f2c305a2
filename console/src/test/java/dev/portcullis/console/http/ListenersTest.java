package dev.portcullis.console.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.console.web.SessionStore;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.TlsMaterial;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenersTest {
    @TempDir
    Path dir;

    @Test
    void micronautSettingsFromSystemPropertiesOpenNoPlainHttpListener() throws Exception {
        TestPki pki = TestPki.create(dir);
        System.setProperty("micronaut.server.dual-protocol", "true");
        System.setProperty("micronaut.server.ssl.enabled", "false");
        try (TlsMaterial tls = TlsMaterial.load(pki.tlsConfig(pki.issue("console", TestPki.id("console")), Duration.ofMinutes(1)));
                ConsoleHttpServer server = new ConsoleHttpServer("127.0.0.1", 0, tls.serverAuthContext(), URI.create("https://localhost"),
                        new SessionStore(Clock.systemUTC(), Duration.ofMinutes(5)), List.of(), List.of(), 1)) {
            server.start();

            assertEquals(Set.of(server.port()), server.boundPorts());
        } finally {
            System.clearProperty("micronaut.server.dual-protocol");
            System.clearProperty("micronaut.server.ssl.enabled");
        }
    }
}
