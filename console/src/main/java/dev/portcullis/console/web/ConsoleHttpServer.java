package dev.portcullis.console.web;

import static java.util.Objects.requireNonNull;

import dev.portcullis.console.refusal.Refusals;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * The console's HTTPS server: Netty (the version Micronaut's HTTP server runs on), TLS 1.2/1.3 with
 * the console's rotating certificate, HTTP/1.1. Netty's event loops only read requests and write
 * answers; pages run on a bounded pool of page threads, because they make blocking gRPC calls, and
 * event streams on threads of their own. So a client that sends its request a byte at a time, or
 * never reads its answer, holds no thread, and a slow gateway call holds one page thread, never an
 * event loop. {@code GET /healthz} answers 200 {@code ok} while the server serves, without a
 * session and without calling anything.
 *
 * <p>What every answer gets, so no page can forget it: a strict
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
    public static final String SESSION_COOKIE = "__Host-portcullis-session";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final int MAX_FORM_BYTES = 64 * 1024;
    /** Netty's event loops: they only move bytes and TLS records for people's browsers, so a few are plenty. */
    static final int EVENT_LOOPS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    /** Pages answered at once; each may wait on a gateway call for up to the call timeout. */
    private static final int PAGE_THREADS = 64;
    /** Requests waiting for a page thread; one more is answered 503. */
    private static final int PAGE_QUEUE = 1024;
    /** A request must arrive whole within this of the connection opening or of the previous answer (idle keep-alive included). */
    private static final Duration REQUEST_DEADLINE = Duration.ofSeconds(30);
    /** An answer the browser takes nothing of for this long is given up, and its connection closed. */
    private static final Duration STALL = Duration.ofSeconds(60);
    /** Event streams held open at once by default; each holds a thread of its own, never a page's. */
    public static final int DEFAULT_MAX_STREAMS = 256;

    private final EventLoopGroup loops;
    private final Channel listener;
    private final ThreadPoolExecutor pages;
    private final ExecutorService streamThreads;
    private final String origin;
    private final SessionStore sessions;
    private final List<Route> routes;
    private final List<EventStream> streams;
    private final int maxStreams;
    private final AtomicInteger openStreams = new AtomicInteger();
    private final Refusals refusals;

    /**
     * Binds {@code host:port} (0 picks a free port); serving begins with {@link #start()}.
     *
     * @param tls the console's server context; its key manager is read at each handshake, so a rotated certificate is served
     *     from the next connection on
     * @param publicUrl the URL browsers reach the console at; its origin is the only one a form may come from
     * @param maxStreams event streams held open at once; one more is answered 503, and pages keep their threads
     * @param refusals where a refused form (no session, foreign origin, no or wrong CSRF token) is recorded for the audit log
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public ConsoleHttpServer(String host, int port, SSLContext tls, URI publicUrl, SessionStore sessions, List<Route> routes,
            List<EventStream> streams, int maxStreams, Refusals refusals) {
        this.refusals = requireNonNull(refusals, "refusals is null");
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be positive");
        }
        this.maxStreams = maxStreams;
        SslContext ssl = new JdkSslContext(requireNonNull(tls, "tls is null"), false, null, IdentityCipherSuiteFilter.INSTANCE,
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
        this.loops = new MultiThreadIoEventLoopGroup(EVENT_LOOPS, new DefaultThreadFactory("console-loop", true), NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.AUTO_READ, false) // accepts nothing before start()
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast("tls", ssl.newHandler(channel.alloc()))
                                .addLast("stall", new IdleStateHandler(true, 0, STALL.toSeconds(), 0, TimeUnit.SECONDS))
                                .addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                                        .setMaxInitialLineLength(8 * 1024).setMaxHeaderSize(32 * 1024).setMaxChunkSize(16 * 1024)))
                                .addLast("console", new Connection(MAX_FORM_BYTES, REQUEST_DEADLINE, STALL, ConsoleHttpServer.this::dispatch));
                    }
                });
        ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutdown();
            Throwable cause = bound.cause();
            String why = cause instanceof BindException ? "address already in use or not available" : cause.getClass().getSimpleName();
            throw new UncheckedIOException("the console cannot listen on " + host + ":" + port + " (" + why
                    + "); change portcullis.console.port or portcullis.console.host",
                    cause instanceof IOException io ? io : new IOException(cause));
        }
        this.listener = bound.channel();
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /** Starts serving. */
    public void start() {
        listener.config().setAutoRead(true);
        listener.read();
        log.atInfo().addKeyValue("port", port()).log("console.started");
    }

    /** The bound port. */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** On an event loop: a request read whole goes to a page thread; with every page thread busy and the queue full, 503. */
    private void dispatch(Exchange exchange) {
        try {
            pages.execute(() -> serve(exchange));
        } catch (RejectedExecutionException e) {
            if (pages.isShutdown()) {
                exchange.abandon();
                return;
            }
            log.atWarn().log("console.busy");
            exchange.sendInHand(Layout.problem(503, Optional.empty(), "Busy", "The console is busy; try again in a minute.")
                    .with("Retry-After", "60"));
        }
    }

    private void serve(Exchange exchange) {
        try {
            answer(exchange);
        } catch (IOException | UncheckedIOException e) {
            log.atDebug().addKeyValue("error", e.getClass().getSimpleName()).log("console.connection_failed");
        } catch (RuntimeException e) {
            log.atError().setCause(e).log("console.page_failed");
            exchange.abandon();
        }
    }

    /** Answers the exchange on a page thread, or hands it to an event stream's thread. */
    private void answer(Exchange exchange) throws IOException {
        String method = exchange.method;
        URI target;
        try {
            target = new URI(exchange.target);
        } catch (java.net.URISyntaxException e) {
            exchange.send(Layout.problem(400, Optional.empty(), "Bad request", "The browser sent a request the console cannot read."));
            return;
        }
        String path = target.getPath() == null || target.getPath().isEmpty() ? "/" : target.getPath();
        Map<String, String> headers = exchange.headers;
        Optional<Session> session = cookie(headers, SESSION_COOKIE).flatMap(sessions::find);
        Map<String, List<String>> form = Map.of();
        if (method.equals("POST")) {
            Optional<Map<String, List<String>>> read = readForm(exchange);
            if (read.isEmpty()) {
                exchange.send(Layout.problem(413, session, "Request refused", "The form is too large or not a form."));
                return;
            }
            form = read.get();
        }
        WebRequest request = new WebRequest(method, path, parameters(target.getRawQuery()), form, headers, session, exchange.peer());
        for (EventStream stream : streams) {
            Matcher matcher = stream.path().matcher(path);
            if (method.equals("GET") && matcher.matches()) {
                handOff(exchange, request, matcher, stream);
                return;
            }
        }
        boolean pathKnown = false;
        for (Route route : routes) {
            Matcher matcher = route.path().matcher(path);
            if (!matcher.matches()) {
                continue;
            }
            pathKnown = true;
            if (!route.method().equals(method)) {
                continue;
            }
            if (method.equals("POST") && !sameSiteForm(request)) {
                refusals.record(FormRefusals.of(request, origin));
                exchange.send(Layout.problem(403, session, "Request refused",
                        "This form expired or did not come from this console. Reload the page and try again."));
                return;
            }
            WebResponse response;
            try {
                response = route.handler().handle(request, matcher);
            } catch (RuntimeException e) {
                log.atError().setCause(e).addKeyValue("path", route.path().pattern()).log("console.page_failed");
                response = Layout.problem(500, session, "Something went wrong", "The console failed to answer. Try again.");
            }
            if (response.body() instanceof WebResponse.Body.Streamed) {
                try {
                    exchange.send(response);
                } catch (IOException e) {
                    log.atWarn().addKeyValue("error", (e.getCause() == null ? e : e.getCause()).getClass().getSimpleName())
                            .log("console.download_broken");
                }
                return;
            }
            exchange.send(response);
            return;
        }
        exchange.send(pathKnown ? Layout.problem(405, session, "Not allowed", "This page does not accept that request.")
                : Layout.problem(404, session, "Not found", "There is no such page."));
    }

    /** Runs an event stream on a thread of its own, so open streams never hold the pages' threads; over the limit, 503. */
    private void handOff(Exchange exchange, WebRequest request, Matcher matcher, EventStream stream) throws IOException {
        if (openStreams.incrementAndGet() > maxStreams) {
            openStreams.decrementAndGet();
            exchange.send(Layout.problem(503, request.session(), "Busy", "Too many logs are followed at once; reload in a minute.")
                    .with("Retry-After", "60"));
            return;
        }
        try {
            streamThreads.execute(() -> {
                try {
                    stream(exchange, request, matcher, stream);
                } catch (IOException | UncheckedIOException e) {
                    log.atDebug().addKeyValue("error", e.getClass().getSimpleName()).log("console.connection_failed");
                    exchange.abandon();
                } catch (RuntimeException e) {
                    log.atError().setCause(e).log("console.stream_failed");
                    exchange.abandon();
                } finally {
                    openStreams.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) { // closing
            openStreams.decrementAndGet();
            exchange.abandon();
        }
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

    private static void stream(Exchange exchange, WebRequest request, Matcher matcher, EventStream stream) throws IOException {
        exchange.startEvents();
        stream.handler().stream(request, matcher, (id, name, data) -> {
            StringBuilder event = new StringBuilder();
            if (!id.isEmpty()) {
                event.append("id: ").append(id.replaceAll("[\r\n]", "")).append('\n');
            }
            event.append("event: ").append(name.replaceAll("[\r\n]", "")).append('\n');
            data.lines().forEach(line -> event.append("data: ").append(line).append('\n'));
            if (data.isEmpty()) {
                event.append("data: \n");
            }
            event.append('\n');
            return exchange.sendEvent(event.toString());
        });
        exchange.endEvents();
    }

    private static Optional<Map<String, List<String>>> readForm(Exchange exchange) {
        String type = exchange.headers.getOrDefault("content-type", "");
        if (exchange.bodyTooLarge || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return Optional.empty();
        }
        return Optional.of(parameters(new String(exchange.body, StandardCharsets.UTF_8)));
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

    /** The value of cookie {@code name} in the request's Cookie header. */
    public static Optional<String> cookie(Map<String, String> headers, String name) {
        String header = headers.get("cookie");
        if (header == null) {
            return Optional.empty();
        }
        for (String part : header.split(";")) {
            String trimmed = part.strip();
            if (trimmed.startsWith(name + "=")) {
                return Optional.of(trimmed.substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }

    private static String origin(URI url) {
        int port = url.getPort();
        return url.getScheme() + "://" + url.getHost() + (port == -1 ? "" : ":" + port);
    }

    /** Stops serving; open connections are closed and event streams end within a second. */
    @Override
    public void close() {
        listener.close().awaitUninterruptibly();
        shutdown();
        log.atInfo().log("console.stopped");
    }

    private void shutdown() {
        pages.shutdownNow();
        streamThreads.shutdownNow();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        try {
            pages.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
