package dev.portcullis.console.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.console.testing.Browser;
import dev.portcullis.console.testing.ConsoleFixture;
import dev.portcullis.runtime.pki.PemFiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlowGatewayTest {
    /** Far more than the server's event loops: were pages answered on them, every loop would be held. */
    private static final int HELD = 8 * ConsoleHttpServer.EVENT_LOOPS;

    @TempDir
    Path dir;
    ConsoleFixture fixture;

    @BeforeEach
    void start() {
        // calls held longer than the test runs, so none ends by its deadline
        fixture = ConsoleFixture.start(dir, Map.of("portcullis.console.call-timeout", "60s"));
    }

    @AfterEach
    void stop() {
        fixture.gateway.releaseRunLists();
        fixture.close();
    }

    @Test
    void pagesAnswerWhileMoreGatewayCallsHangThanTheServerHasEventLoops() throws Exception {
        Browser browser = fixture.browser();
        fixture.signIn(browser, "/drift", "admin");
        String session = browser.setCookies().stream().filter(c -> c.startsWith(ConsoleHttpServer.SESSION_COOKIE + "="))
                .findFirst().orElseThrow().split(";", 2)[0];
        HttpClient http = HttpClient.newBuilder().sslContext(PemFiles.trustingOnly(fixture.pki.caFile()))
                .connectTimeout(Duration.ofSeconds(10)).build();
        fixture.gateway.holdRunLists();
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < HELD; i++) {
            // one connection each, so the held pages are spread over every event loop
            HttpClient own = HttpClient.newBuilder().sslContext(PemFiles.trustingOnly(fixture.pki.caFile())).build();
            held.add(own.sendAsync(HttpRequest.newBuilder(URI.create(fixture.url + "/runs")).header("Cookie", session).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        await("every runs page waiting on the gateway").atMost(Duration.ofSeconds(30)).until(() -> fixture.gateway.heldRunLists() == HELD);

        HttpResponse<String> drift = http.send(HttpRequest.newBuilder(URI.create(fixture.url + "/drift")).header("Cookie", session)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, drift.statusCode());
        fixture.gateway.releaseRunLists();
        for (CompletableFuture<HttpResponse<String>> page : held) {
            assertEquals(200, page.get().statusCode());
        }
    }
}
