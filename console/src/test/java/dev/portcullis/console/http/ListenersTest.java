package dev.portcullis.console.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.console.web.SessionStore;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.TlsMaterial;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
                        new SessionStore(Clock.systemUTC(), Duration.ofMinutes(5)), List.of(), List.of(), 1, refusal -> { })) {
            server.start();

            assertEquals(Set.of(server.port()), server.boundPorts());
        } finally {
            System.clearProperty("micronaut.server.dual-protocol");
            System.clearProperty("micronaut.server.ssl.enabled");
        }
    }

    @Test
    void aPortAlreadyTakenIsNamedWithTheSettingToChange() throws Exception {
        TestPki pki = TestPki.create(dir);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                TlsMaterial tls = TlsMaterial.load(pki.tlsConfig(pki.issue("console", TestPki.id("console")), Duration.ofMinutes(1)));
                ConsoleHttpServer server = new ConsoleHttpServer("127.0.0.1", taken.getLocalPort(), tls.serverAuthContext(),
                        URI.create("https://localhost"), new SessionStore(Clock.systemUTC(), Duration.ofMinutes(5)), List.of(), List.of(), 1, refusal -> { })) {

            UncheckedIOException refused = assertThrows(UncheckedIOException.class, server::start);

            assertTrue(refused.getMessage().startsWith("the console cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + " (address already in use or not available)"), refused.getMessage());
            assertTrue(refused.getMessage().endsWith("change portcullis.console.port or portcullis.console.host"), refused.getMessage());
        }
    }
}
