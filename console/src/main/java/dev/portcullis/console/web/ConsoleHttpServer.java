package dev.portcullis.console.web;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's HTTPS server (the JDK's {@code HttpsServer}, TLS 1.2/1.3 with the console's
 * rotating certificate). What every answer gets, so no page can forget it: a strict
 * Content-Security-Policy (scripts, styles and images only from the console itself, no inline
 * script or style, no framing, forms post only here), {@code nosniff}, no referrer to other sites, no caching.
 * Every {@code POST} is a state change and needs a signed-in session, the session's CSRF token in
 * the form's {@code csrf} field and, when the browser sends one, an {@code Origin} that is the
 * console's own; otherwise it is answered 403 and nothing is done. The session cookie is
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
    private static final int THREADS = 64;
    /** Event streams held open at once by default; each holds a thread of its own, never a page's. */
    public static final int DEFAULT_MAX_STREAMS = 256;

    private final HttpsServer server;
    private final ExecutorService threads;
    private final String origin;
    private final SessionStore sessions;
    private final List<Route> routes;
    private final List<EventStream> streams;
    private final int maxStreams;
    private final AtomicInteger openStreams = new AtomicInteger();
    private final ExecutorService streamThreads;

    /**
     * Binds {@code host:port} (0 picks a free port); serving begins with {@link #start()}.
     *
     * @param publicUrl the URL browsers reach the console at; its origin is the only one a form may come from
     * @param maxStreams event streams held open at once; one more is answered 503, and pages keep their threads
     * @throws UncheckedIOException naming the address when it cannot be bound
     */
    public ConsoleHttpServer(String host, int port, SSLContext tls, URI publicUrl, SessionStore sessions, List<Route> routes,
            List<EventStream> streams, int maxStreams) {
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be positive");
        }
        this.maxStreams = maxStreams;
        requireNonNull(tls, "tls is null");
        this.origin = origin(requireNonNull(publicUrl, "publicUrl is null"));
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.routes = List.copyOf(routes);
        this.streams = List.copyOf(streams);
        AtomicInteger number = new AtomicInteger();
        AtomicInteger streamNumber = new AtomicInteger();
        this.streamThreads = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "console-stream-" + streamNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.threads = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, "console-http-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            this.server = HttpsServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            threads.shutdownNow();
            streamThreads.shutdownNow();
            String why = e instanceof BindException ? "address already in use or not available" : e.getClass().getSimpleName();
            throw new UncheckedIOException("the console cannot listen on " + host + ":" + port + " (" + why
                    + "); change portcullis.console.port or portcullis.console.host", e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters parameters) {
                SSLParameters ssl = tls.getDefaultSSLParameters();
                ssl.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                ssl.setNeedClientAuth(false);
                parameters.setSSLParameters(ssl);
            }
        });
        server.setExecutor(threads);
        server.createContext("/", this::exchange);
    }

    /** Starts serving. */
    public void start() {
        server.start();
        log.atInfo().addKeyValue("port", port()).log("console.started");
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void exchange(HttpExchange exchange) {
        boolean handedOff = false;
        try {
            handedOff = answer(exchange);
        } catch (UnfinishedAnswer e) {
            log.atWarn().addKeyValue("error", e.getCause().getClass().getSimpleName()).log("console.download_broken");
            // not closed: closing would send the last chunk and a broken download would look whole; thrown
            // out of the handler, the JDK's server drops the connection instead, and the browser reports a failure
            handedOff = true;
            throw e;
        } catch (IOException | UncheckedIOException e) {
            log.atDebug().addKeyValue("error", e.getClass().getSimpleName()).log("console.connection_failed");
        } catch (RuntimeException e) {
            log.atError().setCause(e).log("console.page_failed");
        } finally {
            if (!handedOff) {
                exchange.close();
            }
        }
    }

    /** Answers the exchange; true when an event stream took it over, to close it when done. */
    private boolean answer(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        URI target = exchange.getRequestURI();
        String path = target.getPath() == null ? "/" : target.getPath();
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!values.isEmpty()) {
                headers.put(name.toLowerCase(Locale.ROOT), values.get(0));
            }
        });
        Optional<Session> session = cookie(headers, SESSION_COOKIE).flatMap(sessions::find);
        Map<String, List<String>> form = Map.of();
        if (method.equals("POST")) {
            Optional<Map<String, List<String>>> read = readForm(exchange, headers);
            if (read.isEmpty()) {
                send(exchange, Layout.problem(413, session, "Request refused", "The form is too large or not a form."));
                return false;
            }
            form = read.get();
        }
        WebRequest request = new WebRequest(method, path, parameters(target.getRawQuery()), form, headers, session);
        for (EventStream stream : streams) {
            Matcher matcher = stream.path().matcher(path);
            if (method.equals("GET") && matcher.matches()) {
                return handOff(exchange, request, matcher, stream);
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
                send(exchange, Layout.problem(403, session, "Request refused",
                        "This form expired or did not come from this console. Reload the page and try again."));
                return false;
            }
            WebResponse response;
            try {
                response = route.handler().handle(request, matcher);
            } catch (RuntimeException e) {
                log.atError().setCause(e).addKeyValue("path", route.path().pattern()).log("console.page_failed");
                response = Layout.problem(500, session, "Something went wrong", "The console failed to answer. Try again.");
            }
            send(exchange, response);
            return false;
        }
        send(exchange, pathKnown ? Layout.problem(405, session, "Not allowed", "This page does not accept that request.")
                : Layout.problem(404, session, "Not found", "There is no such page."));
        return false;
    }

    /** Runs an event stream on a thread of its own, so open streams never hold the pages' threads; over the limit, 503. */
    private boolean handOff(HttpExchange exchange, WebRequest request, Matcher matcher, EventStream stream) throws IOException {
        if (openStreams.incrementAndGet() > maxStreams) {
            openStreams.decrementAndGet();
            send(exchange, Layout.problem(503, request.session(), "Busy", "Too many logs are followed at once; reload in a minute.")
                    .with("Retry-After", "60"));
            return false;
        }
        try {
            streamThreads.execute(() -> {
                try (exchange) {
                    stream(exchange, request, matcher, stream);
                } catch (IOException | UncheckedIOException e) {
                    log.atDebug().addKeyValue("error", e.getClass().getSimpleName()).log("console.connection_failed");
                } catch (RuntimeException e) {
                    log.atError().setCause(e).log("console.stream_failed");
                } finally {
                    openStreams.decrementAndGet();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) { // closing
            openStreams.decrementAndGet();
            return false;
        }
        return true;
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

    private void stream(HttpExchange exchange, WebRequest request, Matcher matcher, EventStream stream) throws IOException {
        securityHeaders(exchange);
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
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
            try {
                out.write(event.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                return true;
            } catch (IOException e) {
                return false; // the browser went away
            }
        });
    }

    private void send(HttpExchange exchange, WebResponse response) throws IOException {
        securityHeaders(exchange);
        response.headers().forEach((name, value) -> {
            if (name.equals("Set-Cookie")) {
                for (String each : value.split("\n")) {
                    exchange.getResponseHeaders().add(name, each);
                }
            } else {
                exchange.getResponseHeaders().set(name, value);
            }
        });
        if (response.body() instanceof WebResponse.Body.Streamed streamed) {
            exchange.sendResponseHeaders(response.status(), 0);
            OutputStream out = exchange.getResponseBody();
            try {
                streamed.writer().writeTo(out);
            } catch (IOException | RuntimeException e) {
                throw new UnfinishedAnswer(e);
            }
            out.close();
            return;
        }
        byte[] body = ((WebResponse.Body.Bytes) response.body()).bytes();
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void securityHeaders(HttpExchange exchange) {
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.set("X-Content-Type-Options", "nosniff");
        // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the console's own form posts
        headers.set("Referrer-Policy", "same-origin");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Cross-Origin-Opener-Policy", "same-origin");
        headers.set("Cache-Control", "no-store");
        headers.set("Strict-Transport-Security", "max-age=31536000");
    }

    private static Optional<Map<String, List<String>>> readForm(HttpExchange exchange, Map<String, String> headers) throws IOException {
        String type = headers.getOrDefault("content-type", "");
        if (!type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return Optional.empty();
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_FORM_BYTES + 1);
            if (body.length > MAX_FORM_BYTES) {
                return Optional.empty();
            }
            return Optional.of(parameters(new String(body, StandardCharsets.UTF_8)));
        }
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

    /** Stops serving; open event streams end within a second. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        streamThreads.shutdownNow();
        try {
            threads.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.atInfo().log("console.stopped");
    }

    /** A streamed body that failed after its headers were sent: the connection must be dropped, not ended. */
    private static final class UnfinishedAnswer extends RuntimeException {
        UnfinishedAnswer(Exception cause) {
            super("the answer's body failed while it was sent", cause);
        }
    }
}
