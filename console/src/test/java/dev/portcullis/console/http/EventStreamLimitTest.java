package dev.portcullis.console.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.console.web.Route;
import dev.portcullis.console.web.WebResponse;
import dev.portcullis.console.web.SessionStore;
import dev.portcullis.console.web.EventStream;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.TlsMaterial;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventStreamLimitTest {
    @TempDir
    Path dir;

    @Test
    void streamsOverTheLimitAreAnsweredBusyWhilePagesStillAnswer() throws Exception {
        TestPki pki = TestPki.create(dir);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        EventStream held = EventStream.of("/events", (request, path, events) -> {
            events.send("1", "log", "first");
            started.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Route page = Route.of("GET", "/page", (request, path) -> WebResponse.html(200, "<p>ok</p>"));
        try (TlsMaterial tls = TlsMaterial.load(pki.tlsConfig(pki.issue("console", TestPki.id("console")), Duration.ofMinutes(1)));
                ConsoleHttpServer server = new ConsoleHttpServer("127.0.0.1", 0, tls.serverAuthContext(), URI.create("https://localhost"),
                        new SessionStore(Clock.systemUTC(), Duration.ofMinutes(5)), List.of(page), List.of(held), 1, refusal -> { })) {
            server.start();
            String base = "https://localhost:" + server.port();
            HttpClient http = HttpClient.newBuilder().sslContext(PemFiles.trustingOnly(pki.caFile())).build();
            HttpResponse<InputStream> first = http.send(HttpRequest.newBuilder(URI.create(base + "/events")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertTrue(started.await(30, TimeUnit.SECONDS), "the first stream started");

            HttpResponse<String> second = http.send(HttpRequest.newBuilder(URI.create(base + "/events")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> pageAnswer = http.send(HttpRequest.newBuilder(URI.create(base + "/page")).build(),
                    HttpResponse.BodyHandlers.ofString());

            release.countDown();
            assertEquals(200, first.statusCode());
            assertEquals(503, second.statusCode());
            assertEquals("60", second.headers().firstValue("Retry-After").orElse(""));
            assertEquals(200, pageAnswer.statusCode());
            first.body().close();
        }
    }
}
