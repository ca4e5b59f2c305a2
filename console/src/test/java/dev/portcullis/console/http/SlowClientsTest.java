package dev.portcullis.console.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.console.web.Route;
import dev.portcullis.console.web.WebResponse;
import dev.portcullis.console.web.SessionStore;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.TlsMaterial;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlowClientsTest {
    private static final int SLOW_CLIENTS = 100;

    @TempDir
    Path dir;

    @Test
    void aHundredClientsHoldingHalfARequestDoNotDelayAnotherClientsPage() throws Exception {
        TestPki pki = TestPki.create(dir);
        Route page = Route.of("GET", "/page", (request, path) -> WebResponse.html(200, "<p>ok</p>"));
        SSLContext trust = PemFiles.trustingOnly(pki.caFile());
        List<SSLSocket> slow = new ArrayList<>();
        try (TlsMaterial tls = TlsMaterial.load(pki.tlsConfig(pki.issue("console", TestPki.id("console")), Duration.ofMinutes(1)));
                ConsoleHttpServer server = new ConsoleHttpServer("127.0.0.1", 0, tls.serverAuthContext(), URI.create("https://localhost"),
                        new SessionStore(Clock.systemUTC(), Duration.ofMinutes(5)), List.of(page), List.of(), 1, refusal -> { })) {
            server.start();
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                slow.add(halfARequest(trust, server.port()));
            }
            HttpClient http = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(10)).build();

            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/page"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, answer.statusCode());
            assertEquals("<p>ok</p>", answer.body());
        } finally {
            for (SSLSocket socket : slow) {
                socket.close();
            }
        }
    }

    /** A client that finishes its TLS handshake, sends the start of a request and then says nothing more. */
    private static SSLSocket halfARequest(SSLContext trust, int port) throws IOException {
        SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("localhost", port);
        try {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            socket.getOutputStream().write("GET /page HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }
}
