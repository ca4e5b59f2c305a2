package dev.portcullis.audit.alert;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real incoming-webhook receiver on loopback (port 0) that answers 500 to its first
 * {@code failures} requests and 200 after, optionally holding each request until released.
 * Its URL carries a token in the path, as Slack's does, so tests can check it never leaks.
 */
public final class WebhookReceiver implements AutoCloseable {
    public static final String TOKEN_PATH = "/services/T0000/B0000/xoxb-secret-token";

    /** One request as received. */
    public record Request(String method, String contentType, String body, int status) {}

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicInteger failuresLeft;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> accepted = new LinkedBlockingQueue<>();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release;

    private WebhookReceiver(int failures, boolean hold) {
        this.failuresLeft = new AtomicInteger(failures);
        this.release = new CountDownLatch(hold ? 1 : 0);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    public static WebhookReceiver accepting() {
        return new WebhookReceiver(0, false);
    }

    public static WebhookReceiver failingFirst(int failures) {
        return new WebhookReceiver(failures, false);
    }

    public static WebhookReceiver alwaysFailing() {
        return new WebhookReceiver(Integer.MAX_VALUE, false);
    }

    /** Holds every request until {@link #release()}. */
    public static WebhookReceiver holding() {
        return new WebhookReceiver(0, true);
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + TOKEN_PATH);
    }

    /** The body of the next request answered 200; fails the test if none arrives in time. */
    public String awaitAccepted(Duration timeout) throws InterruptedException {
        String body = accepted.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (body == null) {
            fail("no webhook request was accepted within " + timeout + "; requests: " + requests);
        }
        return body;
    }

    /** Waits until a request has arrived (held or not). */
    public boolean awaitEntered(Duration timeout) throws InterruptedException {
        return entered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets held requests be answered. */
    public void release() {
        release.countDown();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
            entered.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            boolean fail = failuresLeft.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(n - 1, 0)) > 0;
            int status = !exchange.getRequestURI().getPath().equals(TOKEN_PATH) ? 404 : fail ? 500 : 200;
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestHeaders().getFirst("Content-Type"),
                    body, status));
            byte[] answer = (status == 200 ? "ok" : "no").getBytes(UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            if (status == 200) {
                accepted.add(body);
            }
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }
}
