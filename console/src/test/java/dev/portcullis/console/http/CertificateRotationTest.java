package dev.portcullis.console.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.portcullis.console.web.SessionStore;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.TlsMaterial;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateRotationTest {
    @TempDir
    Path dir;

    @Test
    void theServerPresentsARotatedCertificateWithoutARestart() throws Exception {
        TestPki pki = TestPki.create(dir);
        TestPki.Credential first = pki.issue("console", TestPki.id("console"));
        SSLContext trust = PemFiles.trustingOnly(pki.caFile());
        try (TlsMaterial tls = TlsMaterial.load(pki.tlsConfig(first, Duration.ofMillis(100)));
                ConsoleHttpServer server = new ConsoleHttpServer("127.0.0.1", 0, tls.serverAuthContext(), URI.create("https://localhost"),
                        new SessionStore(Clock.systemUTC(), Duration.ofMinutes(5)), List.of(), List.of(), 1, refusal -> { })) {
            server.start();
            BigInteger before = presented(trust, server.port());

            TestPki.Credential rotated = pki.issue("console", TestPki.id("console"));

            BigInteger expected = rotated.issued().certificate().getSerialNumber();
            await("the console presenting its new certificate").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> presented(trust, server.port()).equals(expected));
            assertEquals(first.issued().certificate().getSerialNumber(), before);
            assertNotEquals(before, expected);
        }
    }

    /** The serial number of the certificate the server presents in a fresh handshake. */
    private static BigInteger presented(SSLContext trust, int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("localhost", port)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
