package dev.portcullis.console.http;

import static java.util.Objects.requireNonNull;

import dev.portcullis.console.refusal.Refusals;
import dev.portcullis.console.web.EventStream;
import dev.portcullis.console.web.FormRefusals;
import dev.portcullis.console.web.Layout;
import dev.portcullis.console.web.Route;
import dev.portcullis.console.web.Session;
import dev.portcullis.console.web.SessionStore;
import dev.portcullis.console.web.WebRequest;
import dev.portcullis.console.web.WebResponse;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.exceptions.BeanInstantiationException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.ServerStartupException;
import io.micronaut.http.server.netty.NettyEmbeddedServer;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.micronaut.http.sse.Event;
import io.netty.channel.Channel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's HTTPS server: Micronaut's own HTTP server (Netty), in an application context of
 * its own that holds nothing but the server, configured here in code from the console's
 * configuration, so no {@code micronaut.*} key or environment variable can open another port or a
 * plain HTTP listener. TLS 1.2/1.3 with the console's rotating certificate, HTTP/1.1. Netty's event
 * loops only read requests and write answers; pages run on a bounded pool of page threads, because
 * they make blocking gRPC calls, and event streams on threads of their own. So a client that sends
 * its request a byte at a time, or never reads its answer, holds no thread, and a slow gateway call
 * holds one page thread, never an event loop. {@code GET /healthz} answers 200 {@code ok} while the
 * server serves, without a session and without calling anything.
 *
 * <p>What every answer gets, so no page can forget it ({@link SecurityHeaders}): a strict
 * Content-Security-Policy (scripts, styles and images only from the console itself, no inline
 * script or style, no framing, forms post only here), {@code nosniff}, no referrer to other sites, no caching.
 * Every {@code POST} is a state change and needs a signed-in session, the session's CSRF token in
 * the form's {@code csrf} field and, when the browser sends one, an {@code Origin} that is the
 * console's own; otherwise it is answered 403 and nothing is done. A form is at most 64 KiB of
 * {@code application/x-www-form-urlencoded}; anything else is answered 413. The session cookie is
 * {@code __Host-portcullis-session}: {@code Secure; HttpOnly; SameSite=Strict; Path=/}.
 * Thread-safe; {@link #start()} once, {@link #close()} once.
 */
public final class ConsoleHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsoleHttpServer.class);
    /** The session cookie's name; {@code __Host-} makes browsers insist on Secure, Path=/ and no Domain. */
    public static final String SESSION_COOKIE = SessionStore.COOKIE;
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    /** Set only in the server's own context: what makes its beans ({@link ConsoleEndpoint} and the rest) exist there alone. */
    static final String SERVING_PROPERTY = "portcullis.console.internal.serving";
    static final int MAX_FORM_BYTES = 64 * 1024;
    /** Netty's event loops: they only move bytes and TLS records for people's browsers, so a few are plenty. */
    public static final int EVENT_LOOPS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    /** Pages answered at once; each may wait on a gateway call for up to the call timeout. */
    private static final int PAGE_THREADS = 64;
    /** Requests waiting for a page thread; one more is answered 503. */
    private static final int PAGE_QUEUE = 1024;
    /** A request must arrive whole within this of the connection opening or of the previous answer (idle keep-alive included). */
    static final Duration REQUEST_DEADLINE = Duration.ofSeconds(30);
    /** An answer the browser takes nothing of for this long is given up, and its connection closed. */
    static final Duration STALL = Duration.ofSeconds(60);
    /** Event streams held open at once by default; each holds a thread of its own, never a page's. */
    public static final int DEFAULT_MAX_STREAMS = 256;

    private final String host;
    private final int requestedPort;
    private final SslContext ssl;
    private final ThreadPoolExecutor pages;
    private final ExecutorService streamThreads;
    private final String origin;
    private final SessionStore sessions;
    private final List<Route> routes;
    private final List<EventStream> streams;
    private final int maxStreams;
    private final AtomicInteger openStreams = new AtomicInteger();
    private final Refusals refusals;
    // written once by start(), on the caller's thread, before any request can arrive
    private volatile ApplicationContext context;
    private volatile NettyEmbeddedServer server;

    /**
     * A server for {@code host:port} (0 picks a free port); it binds and serves from {@link #start()}.
     *
     * @param tls the console's server context; its key manager is read at each handshake, so a rotated certificate is served
     *     from the next connection on
     * @param publicUrl the URL browsers reach the console at; its origin is the only one a form may come from
     * @param maxStreams event streams held open at once; one more is answered 503, and pages keep their threads
     * @param refusals where a refused form (no session, foreign origin, no or wrong CSRF token) is recorded for the audit log
     */
    public ConsoleHttpServer(String host, int port, SSLContext tls, URI publicUrl, SessionStore sessions, List<Route> routes,
            List<EventStream> streams, int maxStreams, Refusals refusals) {
        this.refusals = requireNonNull(refusals, "refusals is null");
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be positive");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535");
        }
        this.host = requireNonNull(host, "host is null");
        this.requestedPort = port;
        this.maxStreams = maxStreams;
        this.ssl = new JdkSslContext(requireNonNull(tls, "tls is null"), false, null, IdentityCipherSuiteFilter.INSTANCE,
                ApplicationProtocolConfig.DISABLED, ClientAuth.NONE, new String[] {"TLSv1.3", "TLSv1.2"}, false);
        this.origin = origin(requireNonNull(publicUrl, "publicUrl is null"));
        this.sessions = requireNonNull(sessions, "sessions is null");
        List<Route> all = new ArrayList<>();
        all.add(Route.of("GET", "/healthz", (request, path) -> new WebResponse(200,
                Map.of("Content-Type", "text/plain; charset=utf-8"), "ok".getBytes(StandardCharsets.US_ASCII))));
        all.addAll(routes);
        this.routes = List.copyOf(all);
        this.streams = List.copyOf(streams);
        AtomicInteger pageNumber = new AtomicInteger();
        AtomicInteger streamNumber = new AtomicInteger();
        this.pages = new ThreadPoolExecutor(PAGE_THREADS, PAGE_THREADS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(PAGE_QUEUE),
                runnable -> daemon(runnable, "console-page-" + pageNumber.incrementAndGet()));
        pages.allowCoreThreadTimeOut(true);
        this.streamThreads = Executors.newCachedThreadPool(runnable -> daemon(runnable, "console-stream-" + streamNumber.incrementAndGet()));
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * Binds {@code host:port} and starts serving.
     *
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public void start() {
        ApplicationContext started = ApplicationContext.builder()
                .properties(serverProperties())
                .singletons(this)
                .enableDefaultPropertySources(false)
                .environmentPropertySource(false)
                .deduceEnvironment(false)
                .banner(false)
                .build();
        try {
            started.start();
            NettyEmbeddedServer netty = started.getBean(NettyEmbeddedServer.class);
            netty.register(new ConnectionGuard.Customizer(MAX_FORM_BYTES, REQUEST_DEADLINE, STALL));
            netty.start();
            this.context = started;
            this.server = netty;
        } catch (ServerStartupException | BeanInstantiationException e) {
            started.close();
            shutdown();
            Throwable cause = rootCause(e);
            String why = cause instanceof BindException ? "address already in use or not available" : cause.getClass().getSimpleName();
            throw new UncheckedIOException("the console cannot listen on " + host + ":" + requestedPort + " (" + why
                    + "); change portcullis.console.port or portcullis.console.host",
                    cause instanceof IOException io ? io : new IOException(cause));
        } catch (RuntimeException e) {
            started.close();
            shutdown();
            throw e;
        }
        log.atInfo().addKeyValue("port", port()).log("console.started");
    }

    /**
     * Micronaut's server settings, all of them: HTTPS only on the console's address, the limits and
     * timeouts the console keeps itself ({@link ConnectionGuard}) switched off in Micronaut.
     */
    private Map<String, Object> serverProperties() {
        Map<String, Object> properties = new HashMap<>();
        properties.put(SERVING_PROPERTY, "true");
        properties.put("micronaut.server.host", host);
        properties.put("micronaut.server.ssl.enabled", "true");
        properties.put("micronaut.server.ssl.port", String.valueOf(requestedPort));
        properties.put("micronaut.server.dual-protocol", "false");
        properties.put("micronaut.server.http-version", "1.1");
        properties.put("micronaut.server.max-request-size", String.valueOf(MAX_FORM_BYTES));
        properties.put("micronaut.server.idle-timeout", "-1s");
        properties.put("micronaut.server.read-idle-timeout", "-1s");
        properties.put("micronaut.server.write-idle-timeout", "-1s");
        properties.put("micronaut.server.date-header", "true");
        properties.put("micronaut.server.cors.enabled", "false");
        // Micronaut's drive-by-localhost guard would answer a foreign Origin on a loopback console
        // with a bare 403 before the console sees it: no security headers, nothing on the audit
        // record. The console's own check (Origin, Sec-Fetch-Site, the CSRF token) refuses every
        // such form and records it; a foreign page can read no answer, as no CORS header is sent.
        properties.put("micronaut.server.cors.localhost-pass-through", "true");
        properties.put("micronaut.server.netty.max-initial-line-length", String.valueOf(8 * 1024));
        properties.put("micronaut.server.netty.max-header-size", String.valueOf(32 * 1024));
        properties.put("micronaut.server.netty.max-chunk-size", String.valueOf(16 * 1024));
        properties.put("micronaut.server.netty.parent.threads", "1");
        properties.put("micronaut.server.netty.worker.threads", String.valueOf(EVENT_LOOPS));
        properties.put("micronaut.netty.event-loops.default.num-threads", String.valueOf(EVENT_LOOPS));
        return properties;
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The bound port. */
    public int port() {
        NettyEmbeddedServer netty = server;
        if (netty == null) {
            throw new IllegalStateException("the console serves only once started");
        }
        return netty.getBoundPorts().iterator().next();
    }

    /** Every port the server listens on: the console's one HTTPS port. */
    Set<Integer> boundPorts() {
        NettyEmbeddedServer netty = server;
        if (netty == null) {
            throw new IllegalStateException("the console serves only once started");
        }
        return Set.copyOf(netty.getBoundPorts());
    }

    /** The server's TLS context: the console's rotating certificate, read at each handshake. */
    SslContext sslContext() {
        return ssl;
    }

    /**
     * Answers one request, as {@link ConsoleEndpoint} hands it over on an event loop: an event
     * stream gets a thread of its own, anything else waits for a page thread; with every page
     * thread busy and the queue full, 503.
     */
    CompletableFuture<MutableHttpResponse<?>> answer(HttpRequest<?> request, byte[] body) {
        String method = request.getMethodName();
        URI target = request.getUri();
        String path = target.getPath() == null || target.getPath().isEmpty() ? "/" : target.getPath();
        Map<String, String> headers = new HashMap<>();
        request.getHeaders().forEach((name, values) -> {
            if (!values.isEmpty()) {
                headers.putIfAbsent(name.toLowerCase(Locale.ROOT), values.get(0));
            }
        });
        Optional<Session> session = WebRequest.cookie(headers, SESSION_COOKIE).flatMap(sessions::find);
        Map<String, List<String>> form = Map.of();
        if (method.equals("POST")) {
            Optional<Map<String, List<String>>> read = readForm(headers, body);
            if (read.isEmpty()) {
                return CompletableFuture.completedFuture(toMicronaut(
                        Layout.problem(413, session, "Request refused", "The form is too large or not a form.")));
            }
            form = read.get();
        }
        WebRequest page = new WebRequest(method, path, parameters(target.getRawQuery()), form, headers, session, peer(request));
        if (method.equals("GET")) {
            for (EventStream stream : streams) {
                Matcher matcher = stream.path().matcher(path);
                if (matcher.matches()) {
                    return CompletableFuture.completedFuture(events(page, matcher, stream, connection(request)));
                }
            }
        }
        CompletableFuture<MutableHttpResponse<?>> answered = new CompletableFuture<>();
        try {
            pages.execute(() -> {
                try {
                    answered.complete(toMicronaut(route(page), connection(request)));
                } catch (RuntimeException e) {
                    log.atError().setCause(e).log("console.page_failed");
                    answered.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            if (pages.isShutdown()) {
                answered.completeExceptionally(e);
            } else {
                log.atWarn().log("console.busy");
                answered.complete(toMicronaut(Layout.problem(503, Optional.empty(), "Busy", "The console is busy; try again in a minute.")
                        .with("Retry-After", "60")));
            }
        }
        return answered;
    }

    /** The connection's peer as "ip:port", for audit records; empty when unknown. */
    private static String peer(HttpRequest<?> request) {
        InetSocketAddress peer = request.getRemoteAddress();
        if (peer == null || peer.getAddress() == null) {
            return "";
        }
        String host = peer.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + peer.getPort();
    }

    /** On a page thread: the route answering the request, or 403, 404 or 405. */
    private WebResponse route(WebRequest request) {
        Optional<Session> session = request.session();
        boolean pathKnown = false;
        for (Route route : routes) {
            Matcher matcher = route.path().matcher(request.path());
            if (!matcher.matches()) {
                continue;
            }
            pathKnown = true;
            if (!route.method().equals(request.method())) {
                continue;
            }
            if (request.method().equals("POST") && !sameSiteForm(request)) {
                refusals.record(FormRefusals.of(request, origin));
                return Layout.problem(403, session, "Request refused",
                        "This form expired or did not come from this console. Reload the page and try again.");
            }
            try {
                return route.handler().handle(request, matcher);
            } catch (RuntimeException e) {
                log.atError().setCause(e).addKeyValue("path", route.path().pattern()).log("console.page_failed");
                return Layout.problem(500, session, "Something went wrong", "The console failed to answer. Try again.");
            }
        }
        return pathKnown ? Layout.problem(405, session, "Not allowed", "This page does not accept that request.")
                : Layout.problem(404, session, "Not found", "There is no such page.");
    }

    /** An event stream on a thread of its own, so open streams never hold the pages' threads; over the limit, 503. */
    private MutableHttpResponse<?> events(WebRequest request, Matcher matcher, EventStream stream, Channel connection) {
        if (openStreams.incrementAndGet() > maxStreams) {
            openStreams.decrementAndGet();
            return toMicronaut(Layout.problem(503, request.session(), "Busy", "Too many logs are followed at once; reload in a minute.")
                    .with("Retry-After", "60"));
        }
        ThreadFedPublisher<Event<String>> events = new ThreadFedPublisher<>(streamThreads, connection, STALL, sink -> {
            try {
                stream.handler().stream(request, matcher, (id, name, data) -> {
                    Event<String> event = Event.of(data).name(name.replaceAll("[\r\n]", ""));
                    String cleanId = id.replaceAll("[\r\n]", "");
                    return sink.emit(cleanId.isEmpty() ? event : event.id(cleanId));
                });
            } finally {
                openStreams.decrementAndGet();
            }
        }, openStreams::decrementAndGet);
        MutableHttpResponse<ThreadFedPublisher<Event<String>>> response = HttpResponse.ok(events);
        response.getHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        response.getHeaders().set("X-Accel-Buffering", "no");
        return response;
    }

    /** The connection a request came on; Micronaut's Netty server hands over nothing else. */
    private static Channel connection(HttpRequest<?> request) {
        if (request instanceof NettyHttpRequest<?> netty) {
            return netty.getChannelHandlerContext().channel();
        }
        throw new IllegalStateException("the console runs on Micronaut's Netty server only, not " + request.getClass().getName());
    }

    /** An answer with no streamed body as Micronaut's. */
    private MutableHttpResponse<?> toMicronaut(WebResponse answer) {
        if (answer.body() instanceof WebResponse.Body.Streamed) {
            throw new IllegalArgumentException("a streamed answer needs its connection");
        }
        return toMicronaut(answer, null);
    }

    /**
     * Our answer as Micronaut's; a streamed body is written to {@code connection} by a page
     * thread of its own, in chunks of at most 8 KiB, and when it fails half-way the connection is
     * dropped without the body's end: the browser then reports the download failed rather than
     * keeping a truncated file that looks whole.
     */
    private MutableHttpResponse<?> toMicronaut(WebResponse answer, Channel connection) {
        MutableHttpResponse<Object> response = HttpResponse.status(HttpStatus.valueOf(answer.status()));
        answer.headers().forEach((name, value) -> {
            if (name.equalsIgnoreCase("Set-Cookie")) {
                for (String each : value.split("\n")) {
                    response.getHeaders().add(name, each);
                }
            } else {
                response.getHeaders().set(name, value);
            }
        });
        if (answer.body() instanceof WebResponse.Body.Bytes bytes) {
            response.body(bytes.bytes());
        } else if (answer.body() instanceof WebResponse.Body.Streamed streamed) {
            response.body(new ThreadFedPublisher<byte[]>(pages, connection, STALL, sink -> {
                try (OutputStream out = new ChunkStream(sink)) {
                    streamed.writer().writeTo(out);
                } catch (IOException | RuntimeException e) {
                    log.atWarn().addKeyValue("error", (e.getCause() == null ? e : e.getCause()).getClass().getSimpleName())
                            .log("console.download_broken");
                    connection.close();
                    throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
                }
            }, () -> {}));
        }
        return response;
    }

    /** A state change must carry the session's CSRF token, and come from the console's own origin when the browser says. */
    private boolean sameSiteForm(WebRequest request) {
        if (request.session().isEmpty()) {
            return false;
        }
        Optional<String> origin = request.header("origin");
        if (origin.isPresent() && !origin.get().equals(this.origin)) {
            return false;
        }
        Optional<String> site = request.header("sec-fetch-site");
        if (site.isPresent() && !site.get().equals("same-origin")) {
            return false;
        }
        String expected = request.session().get().csrfToken();
        String given = request.formValue("csrf").orElse("");
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII));
    }

    private static Optional<Map<String, List<String>>> readForm(Map<String, String> headers, byte[] body) {
        String type = headers.getOrDefault("content-type", "");
        if (body.length > MAX_FORM_BYTES || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return Optional.empty();
        }
        return Optional.of(parameters(new String(body, StandardCharsets.UTF_8)));
    }

    /** The parameters of a query string or form body ({@code a=1&b=2}), decoded; malformed escapes make a value empty. */
    static Map<String, List<String>> parameters(String raw) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            values.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
        }
        values.replaceAll((name, list) -> List.copyOf(list));
        return values;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static String origin(URI url) {
        int port = url.getPort();
        return url.getScheme() + "://" + url.getHost() + (port == -1 ? "" : ":" + port);
    }

    /** Stops serving; open connections are closed and event streams end within a second. */
    @Override
    public void close() {
        ApplicationContext started = context;
        if (started != null && started.isRunning()) {
            started.close();
        }
        shutdown();
        log.atInfo().log("console.stopped");
    }

    private void shutdown() {
        pages.shutdownNow();
        streamThreads.shutdownNow();
        try {
            pages.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A streamed body's bytes, emitted as chunks of at most 8 KiB; fails once the browser is gone. */
    private static final class ChunkStream extends OutputStream {
        private static final int CHUNK = 8 * 1024;
        private final ThreadFedPublisher.Sink<byte[]> sink;
        private final byte[] buffer = new byte[CHUNK];
        private int used;

        ChunkStream(ThreadFedPublisher.Sink<byte[]> sink) {
            this.sink = sink;
        }

        @Override
        public void write(int b) throws IOException {
            if (used == CHUNK) {
                flush();
            }
            buffer[used++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            while (length > 0) {
                if (used == CHUNK) {
                    flush();
                }
                int n = Math.min(length, CHUNK - used);
                System.arraycopy(bytes, offset, buffer, used, n);
                used += n;
                offset += n;
                length -= n;
            }
        }

        @Override
        public void flush() throws IOException {
            if (used > 0) {
                byte[] chunk = Arrays.copyOf(buffer, used);
                used = 0;
                if (!sink.emit(chunk)) {
                    throw new IOException("the browser went away or stopped reading");
                }
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
