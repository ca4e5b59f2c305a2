package dev.portcullis.audit.source.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.testing.ServiceFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener's own limits, seen from a raw TLS socket: a sender that trickles its request is cut
 * off at the request timeout, a body declared larger than allowed is refused before any of it is
 * sent, and oversized headers are refused. Nothing here waits on a clock of its own: each test
 * blocks reading the listener's answer (bounded by a socket timeout far above the request timeout).
 */
class SourceListenerLimitsTest {
    @TempDir
    Path dir;

    private ServiceFixture fixture;
    private int port;

    @BeforeEach
    void start() throws IOException {
        Files.writeString(dir.resolve("github.secret"), WebhookIngestTest.GITHUB_SECRET);
        Map<String, Object> properties = new HashMap<>();
        properties.put("portcullis.audit.data-dir", dir.resolve("audit").toString());
        properties.put("portcullis.audit.sources.port", 0);
        properties.put("portcullis.audit.sources.max-body-bytes", "64KB");
        properties.put("portcullis.audit.sources.request-timeout", "1s");
        properties.put("portcullis.audit.sources.feeds.github-acme.kind", "github");
        properties.put("portcullis.audit.sources.feeds.github-acme.secret-file", dir.resolve("github.secret").toString());
        fixture = ServiceFixture.start("audit", dir, properties);
        port = fixture.service().context().getBean(HttpsSourceListener.class).port();
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void aSenderTricklingItsHeadersIsAnswered408AndDisconnected() throws IOException {
        try (SSLSocket socket = connect()) {
            // a slowloris: the request line and part of a header, then nothing
            send(socket, "POST /sources/github-acme HTTP/1.1\r\nHost: localhost\r\nX-GitHub-Event: pu");

            String answer = readToEnd(socket);

            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
            assertTrue(answer.contains("\"reason\":\"REQUEST_TIMEOUT\""), answer);
        }
    }

    @Test
    void aSenderStallingInItsBodyIsAnswered408AndDisconnected() throws IOException {
        try (SSLSocket socket = connect()) {
            send(socket, "POST /sources/github-acme HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"ref\":");

            String answer = readToEnd(socket);

            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
        }
    }

    @Test
    void aBodyDeclaredLargerThanAllowedIsRefused413BeforeItIsSent() throws IOException {
        try (SSLSocket socket = connect()) {
            send(socket, "POST /sources/github-acme HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "X-GitHub-Event: push\r\nX-GitHub-Delivery: d-1\r\nX-Hub-Signature-256: sha256=00\r\n"
                    + "Content-Length: 10000000000\r\n\r\n");

            String answer = readToEnd(socket);

            assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
            assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
            assertTrue(answer.endsWith("{\"status\":\"refused\",\"reason\":\"BODY_TOO_LARGE\"}"), answer);
        }
    }

    @Test
    void headersLargerThanAllowedAreRefused431() throws IOException {
        try (SSLSocket socket = connect()) {
            send(socket, "POST /sources/github-acme HTTP/1.1\r\nHost: localhost\r\nX-Padding: "
                    + "x".repeat(HttpsSourceListener.MAX_HEADER_BYTES) + "\r\n\r\n");

            String answer = readToEnd(socket);

            assertTrue(answer.startsWith("HTTP/1.1 431 "), answer);
        }
    }

    private SSLSocket connect() throws IOException {
        SSLSocket socket = (SSLSocket) PemFiles.trustingOnly(fixture.pki().caFile()).getSocketFactory()
                .createSocket("localhost", port);
        socket.setSoTimeout(30_000); // a hang fails the test rather than the build
        socket.startHandshake();
        return socket;
    }

    private static void send(SSLSocket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    /** Everything the listener sends until it closes the connection. */
    private static String readToEnd(SSLSocket socket) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                answer.write(buffer, 0, read);
            }
        } catch (SocketException closedHard) {
            // a reset after the answer still leaves the answer read
        }
        assertEquals(false, answer.size() == 0, "the listener closed without answering");
        return answer.toString(StandardCharsets.UTF_8);
    }
}
