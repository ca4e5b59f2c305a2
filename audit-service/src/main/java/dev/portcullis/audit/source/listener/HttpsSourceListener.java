package dev.portcullis.audit.source.listener;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.portcullis.audit.source.Delivery;
import dev.portcullis.audit.source.DeliveryOutcome;
import dev.portcullis.audit.source.SourceIntake;
import dev.portcullis.audit.source.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener outside sources deliver to: {@code POST /sources/NAME}. Server-authenticated
 * TLS 1.2/1.3 with the audit service's own (rotating) certificate; forges cannot present client
 * certificates, so each delivery is authenticated by its source's signature instead
 * ({@link SourceIntake}). Answers with a small JSON body and the status of the verdict:
 * 202 accepted, 400 malformed or without delivery id, 401 bad or missing signature, 404 unknown
 * source, 405 not POST, 409 replayed or too old, 413 too large, 415 not JSON, 503 store down.
 * Bodies are read only up to the size limit. Thread-safe; {@link #start()} once, {@link #close()} once.
 */
public final class HttpsSourceListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpsSourceListener.class);
    private static final String PREFIX = "/sources/";

    static {
        // The JDK server has no request deadline by default, so a client trickling its request
        // would hold a thread for ever; these are read once, when the first server is made.
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", "30");
        System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", "30");
        // without it, a response's separate header and body writes meet the peer's delayed ACK: ~40 ms each
        System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
    }

    private final HttpsServer server;
    private final ExecutorService threads;
    private final SourceIntake intake;
    private final long maxBodyBytes;

    /**
     * Binds {@code host:port} (0 picks a free port); serving begins with {@link #start()}.
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public HttpsSourceListener(String host, int port, SSLContext tls, SourceIntake intake, long maxBodyBytes, int threads) {
        this.intake = requireNonNull(intake, "intake is null");
        this.maxBodyBytes = maxBodyBytes;
        try {
            this.server = HttpsServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            String why = e instanceof BindException ? "address already in use or not available" : e.getClass().getSimpleName();
            throw new UncheckedIOException("the sources listener cannot listen on " + host + ":" + port + " (" + why
                    + "); change portcullis.audit.sources.port or portcullis.audit.sources.host", e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(requireNonNull(tls, "tls is null")) {
            @Override
            public void configure(HttpsParameters parameters) {
                SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
                ssl.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                ssl.setNeedClientAuth(false);
                ssl.setWantClientAuth(false);
                parameters.setSSLParameters(ssl);
            }
        });
        AtomicInteger number = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "audit-sources-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(this.threads);
        server.createContext("/", this::handle);
    }

    /** Starts serving. */
    public void start() {
        server.start();
        log.atInfo().addKeyValue("port", port()).log("audit.sources_listener_started");
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String name = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : "";
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((header, values) -> {
                if (!values.isEmpty()) {
                    headers.put(header, values.get(0));
                }
            });
            byte[] body = new byte[0];
            boolean oversized = declaredLength(exchange) > maxBodyBytes;
            if (!oversized) {
                body = readAtMost(exchange.getRequestBody(), maxBodyBytes + 1);
                oversized = body.length > maxBodyBytes;
                if (oversized) {
                    body = new byte[0];
                }
            }
            InetSocketAddress peer = exchange.getRemoteAddress();
            String remote = peer.getAddress().getHostAddress() + ":" + peer.getPort();
            DeliveryOutcome outcome;
            try {
                outcome = intake.receive(new Delivery(name, exchange.getRequestMethod(), headers, body, oversized, remote));
            } catch (RuntimeException e) {
                log.atError().setCause(e).log("audit.source_delivery_failed");
                outcome = new DeliveryOutcome(Verdict.UNAVAILABLE, 0);
            }
            respond(exchange, outcome);
        }
    }

    private static long declaredLength(HttpExchange exchange) {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // unreadable length: treated as too large, never read
        }
    }

    private static byte[] readAtMost(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        long total = 0;
        int read;
        while (total < limit && (read = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total))) > 0) {
            out.write(buffer, 0, read);
            total += read;
        }
        return out.toByteArray();
    }

    private static void respond(HttpExchange exchange, DeliveryOutcome outcome) throws IOException {
        int status = status(outcome.verdict());
        String json = outcome.verdict() == Verdict.ACCEPTED
                ? "{\"status\":\"accepted\",\"stored\":" + outcome.stored() + "}"
                : "{\"status\":\"refused\",\"reason\":\"" + outcome.verdict().name() + "\"}";
        byte[] answer = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().put("Content-Type", List.of("application/json"));
        if (outcome.verdict() == Verdict.METHOD_NOT_ALLOWED) {
            exchange.getResponseHeaders().put("Allow", List.of("POST"));
        }
        if (outcome.verdict() == Verdict.UNAVAILABLE) {
            exchange.getResponseHeaders().put("Retry-After", List.of("30"));
        }
        if (status == 413) {
            // the unread body is not drained: the connection goes with the answer
            exchange.getResponseHeaders().put("Connection", List.of("close"));
        }
        exchange.sendResponseHeaders(status, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    /** The HTTP status of each verdict. */
    static int status(Verdict verdict) {
        return switch (verdict) {
            case ACCEPTED -> 202;
            case MALFORMED, DELIVERY_ID_MISSING -> 400;
            case SIGNATURE_MISSING, SIGNATURE_INVALID -> 401;
            case UNKNOWN_SOURCE -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case REPLAYED, TOO_OLD -> 409;
            case BODY_TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case UNAVAILABLE -> 503;
        };
    }

    /** Stops accepting deliveries, lets running ones finish for up to a second, then stops. */
    @Override
    public void close() {
        server.stop(1);
        threads.shutdown();
        try {
            if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
        log.atInfo().log("audit.sources_listener_stopped");
    }
}
