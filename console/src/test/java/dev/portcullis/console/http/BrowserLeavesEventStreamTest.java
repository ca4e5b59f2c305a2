package dev.portcullis.console.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.console.web.EventStream;
import dev.portcullis.console.web.SessionStore;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.testing.LogCapture;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.netty.util.concurrent.AbstractEventExecutor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A browser leaving a page closes the page's event stream while its handler is still writing. Our
 * handler's thread must then stop at its next event, and hand nothing to Micronaut's server for
 * the connection it has already let go (which Micronaut 4.10 answers with an
 * "onNext before request?" stack trace on the event loop).
 */
class BrowserLeavesEventStreamTest {
    private static final int VISITS = 40;

    @TempDir
    Path dir;

    @Test
    void aStreamClosedMidWriteEndsItsHandlerAndLogsNoFailure() throws Exception {
        TestPki pki = TestPki.create(dir);
        AtomicInteger ended = new AtomicInteger();
        EventStream flood = EventStream.of("/flood", (request, path, events) -> {
            int sent = 0;
            while (sent < 1_000_000 && events.send(Integer.toString(sent), "log", "line " + sent)) {
                sent++;
            }
            ended.incrementAndGet();
        });
        SSLContext trust = PemFiles.trustingOnly(pki.caFile());
        try (LogCapture eventLoop = new LogCapture(AbstractEventExecutor.class);
                TlsMaterial tls = tls(pki);
                ConsoleHttpServer server = serving(tls, flood)) {
            for (int visit = 1; visit <= VISITS; visit++) {
                readFirstEventThenReset(trust, server.port(), "/flood");
                int expected = visit;
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> ended.get() == expected);
            }

            List<String> failures = eventLoop.events("WARN").stream()
                    .map(e -> e.getThrowableProxy() == null ? e.getFormattedMessage() : e.getThrowableProxy().getMessage())
                    .distinct().toList();
            assertEquals(List.of(), failures, "the event loop failed on a closed stream");
        }
    }

    @Test
    void aStreamWaitingForAReaderThatLeavesEndsItsHandlerAtOnce() throws Exception {
        TestPki pki = TestPki.create(dir);
        AtomicInteger ended = new AtomicInteger();
        String megabyte = "x".repeat(1 << 20);
        EventStream large = EventStream.of("/large", (request, path, events) -> {
            for (int sent = 0; sent < 64 && events.send(Integer.toString(sent), "log", megabyte); sent++) {
                // 64 MB: far more than the connection's buffers hold, so the handler waits for the reader
            }
            ended.incrementAndGet();
        });
        SSLContext trust = PemFiles.trustingOnly(pki.caFile());
        try (TlsMaterial tls = tls(pki); ConsoleHttpServer server = serving(tls, large)) {

            readFirstEventThenReset(trust, server.port(), "/large");

            // well within the 60 s a reader that stays connected but reads nothing is given
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> ended.get() == 1);
        }
    }

    private static TlsMaterial tls(TestPki pki) {
        return TlsMaterial.load(pki.tlsConfig(pki.issue("console", TestPki.id("console")), Duration.ofMinutes(1)));
    }

    /** A started console serving {@code stream} and nothing else. */
    private static ConsoleHttpServer serving(TlsMaterial tls, EventStream stream) {
        ConsoleHttpServer server = new ConsoleHttpServer("127.0.0.1", 0, tls.serverAuthContext(), URI.create("https://localhost"),
                new SessionStore(Clock.systemUTC(), Duration.ofMinutes(5)), List.of(), List.of(stream), 1, refusal -> { });
        try {
            server.start();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Opens the stream, reads until its first event, then drops the connection at once (TCP reset). */
    private static void readFirstEventThenReset(SSLContext trust, int port, String path) throws Exception {
        SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port);
        try {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.startsWith("data:"); line = in.readLine()) {
                // headers and the first event's id and name
            }
            socket.setSoLinger(true, 0);
        } finally {
            socket.close();
        }
    }
}
