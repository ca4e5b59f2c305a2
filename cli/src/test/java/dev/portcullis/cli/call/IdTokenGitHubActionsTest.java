package dev.portcullis.cli.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fetching the job's identity token inside GitHub Actions, against an in-test HTTP server on
 * loopback speaking the protocol of {@code ACTIONS_ID_TOKEN_REQUEST_URL}.
 */
class IdTokenGitHubActionsTest {
    private static final String JWT = IdTokenTest.JWT;
    private static final String REQUEST_TOKEN = "ghs_request-token-never-shown";

    private HttpServer server;
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile int status = 200;
    private volatile String body = "{\"count\": 1, \"value\": \"" + JWT + "\"}";
    private volatile boolean hang;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/token", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        queries.add(exchange.getRequestURI().getRawQuery());
        authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
        if (hang) {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token?api-version=2.0";
    }

    private IdToken fetch(Duration timeout) {
        return new GitHubActionsIdTokens(timeout).fetch(url(), REQUEST_TOKEN, "portcullis-prod");
    }

    private static void assertSafe(IllegalStateException refused) {
        assertFalse(refused.getMessage().contains(REQUEST_TOKEN), refused.getMessage());
        assertFalse(refused.getMessage().contains(JWT), refused.getMessage());
    }

    @Test
    void fetchesTheTokenForTheAudienceWithTheRequestToken() {
        IdToken token = fetch(Duration.ofSeconds(5));
        assertEquals(List.of("api-version=2.0&audience=portcullis-prod"), queries);
        assertEquals(List.of("bearer " + REQUEST_TOKEN), authorizations);
        assertFalse(token.toString().contains(JWT));
        assertTrue(token.source().contains("portcullis-prod"));
    }

    @Test
    void theOptionsFetchInsideGitHubActionsWhenAnAudienceIsGiven() {
        IdTokenOptions options = new IdTokenOptions();
        options.audience = "portcullis-prod";
        IdToken token = options.token(Map.of(GitHubActionsIdTokens.URL_VARIABLE, url(),
                GitHubActionsIdTokens.TOKEN_VARIABLE, REQUEST_TOKEN), new GitHubActionsIdTokens(Duration.ofSeconds(5)))
                .orElseThrow();
        assertEquals(1, queries.size());
        assertTrue(token.source().contains("GitHub Actions"));
    }

    @Test
    void aForbiddenAnswerPointsAtTheWorkflowPermission() {
        status = 403;
        body = "{\"message\": \"forbidden\"}";
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> fetch(Duration.ofSeconds(5)));
        assertTrue(refused.getMessage().contains("HTTP 403"), refused.getMessage());
        assertTrue(refused.getMessage().contains("id-token: write"), refused.getMessage());
        assertSafe(refused);
    }

    @Test
    void anAnswerThatIsNotJsonIsRefused() {
        body = "<html>" + JWT + "</html>";
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> fetch(Duration.ofSeconds(5)));
        assertTrue(refused.getMessage().contains("answered something other than"), refused.getMessage());
        assertSafe(refused);
    }

    @Test
    void aValueThatIsNotAJwtIsRefusedWithoutQuotingIt() {
        body = "{\"value\": \"not-a-jwt-secret\"}";
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> fetch(Duration.ofSeconds(5)));
        assertTrue(refused.getMessage().contains("does not hold a JWT"), refused.getMessage());
        assertFalse(refused.getMessage().contains("not-a-jwt-secret"), refused.getMessage());
        assertSafe(refused);
    }

    @Test
    void aSilentEndpointTimesOutWithinTheBound() {
        hang = true;
        IllegalStateException refused = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(IllegalStateException.class, () -> fetch(Duration.ofMillis(500))));
        assertTrue(refused.getMessage().contains("did not answer within"), refused.getMessage());
        assertSafe(refused);
    }

    @Test
    void plainHttpIsRefusedExceptToLoopback() {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> new GitHubActionsIdTokens(
                Duration.ofSeconds(1)).fetch("http://token.actions.example.com/token?x=1", REQUEST_TOKEN, "aud"));
        assertTrue(refused.getMessage().contains("is not an https URL"), refused.getMessage());
        assertTrue(queries.isEmpty());
        assertSafe(refused);
    }
}
