package dev.portcullis.executor.repo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.portcullis.runtime.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A real git host on loopback: git's smart HTTP ({@code git http-backend} as a CGI) over HTTPS
 * with a certificate of a per-test CA, serving the repositories under a root and answering 401
 * to any request without the one Basic credential it accepts. It records every request's
 * Authorization header apart from the rest of the request (line, other headers, body), so a test
 * can show where a token travelled; and while it serves a request, what every process the test
 * JVM started (git, git-remote-https) had as its argument list and environment, read from /proc,
 * so a test can show the token reached none of them.
 */
public final class GitSmartHttpServer implements AutoCloseable {
    private final HttpsServer server;
    private final String expectedAuthorization;
    private final Path projectRoot;
    private final List<String> processesSeen = new CopyOnWriteArrayList<>();
    private final List<String> authorizationsSeen = new CopyOnWriteArrayList<>();
    private final List<String> requestsSeen = new CopyOnWriteArrayList<>();

    private GitSmartHttpServer(HttpsServer server, String expectedAuthorization, Path projectRoot) {
        this.server = server;
        this.expectedAuthorization = expectedAuthorization;
        this.projectRoot = projectRoot;
    }

    /**
     * Serves the repositories under {@code projectRoot} to a client sending {@code username} and
     * {@code token}, with a certificate for 127.0.0.1 issued by {@code pki}.
     */
    public static GitSmartHttpServer start(Path projectRoot, TestPki pki, String username, String token) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(serverContext(pki.issue("git-host",
                    TestPki.id("git-host")))));
            server.setExecutor(Executors.newFixedThreadPool(4));
            String expected = "Basic " + Base64.getEncoder()
                    .encodeToString((username + ":" + token).getBytes(StandardCharsets.UTF_8));
            GitSmartHttpServer git = new GitSmartHttpServer(server, expected, projectRoot);
            server.createContext("/", git::handle);
            server.start();
            return git;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot start the git host", e);
        }
    }

    /** The https URL of repository {@code name} (a directory under the project root). */
    public String url(String name) {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/" + name;
    }

    /** Each process of the test JVM alive during a request, as "argv | environment". */
    public List<String> processesSeen() {
        return List.copyOf(processesSeen);
    }

    /** The Authorization headers requests carried ("" for none). */
    public List<String> authorizationsSeen() {
        return List.copyOf(authorizationsSeen);
    }

    /**
     * Each request but its Authorization header: "METHOD URI | headers | body", the body as
     * ISO-8859-1 so any bytes survive.
     */
    public List<String> requestsSeen() {
        return List.copyOf(requestsSeen);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            recordProcesses();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizationsSeen.add(authorization == null ? "" : authorization);
            byte[] body = exchange.getRequestBody().readAllBytes();
            StringBuilder request = new StringBuilder(exchange.getRequestMethod()).append(' ')
                    .append(exchange.getRequestURI()).append(" |");
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!name.equalsIgnoreCase("Authorization")) {
                    request.append(' ').append(name).append(": ").append(String.join(", ", values));
                }
            });
            requestsSeen.add(request.append(" | ").append(new String(body, StandardCharsets.ISO_8859_1)).toString());
            if (!expectedAuthorization.equals(authorization)) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            cgi(exchange, body);
        }
    }

    /** Runs git http-backend for one request (RFC 3875): the body to its stdin, its headers and body back. */
    private void cgi(HttpExchange exchange, byte[] body) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("git", "http-backend");
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("GIT_PROJECT_ROOT", projectRoot.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("PATH_INFO", exchange.getRequestURI().getRawPath());
        env.put("QUERY_STRING", exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
        env.put("REMOTE_USER", "reader");
        env.put("REMOTE_ADDR", "127.0.0.1");
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type != null) {
            env.put("CONTENT_TYPE", type);
        }
        String protocol = exchange.getRequestHeaders().getFirst("Git-Protocol");
        if (protocol != null) {
            env.put("HTTP_GIT_PROTOCOL", protocol);
        }
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        if (encoding != null) {
            env.put("HTTP_CONTENT_ENCODING", encoding);
        }
        env.put("CONTENT_LENGTH", String.valueOf(body.length));
        Process backend = builder.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = backend.getOutputStream()) {
            in.write(body);
        }
        byte[] answer;
        try (InputStream out = backend.getInputStream()) {
            answer = out.readAllBytes();
        }
        try {
            if (!backend.waitFor(60, TimeUnit.SECONDS)) {
                backend.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            backend.destroyForcibly();
        }
        int split = headerEnd(answer);
        int status = 200;
        for (String line : new String(answer, 0, split, StandardCharsets.ISO_8859_1).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.substring(0, 3));
            } else {
                exchange.getResponseHeaders().add(name, value);
            }
        }
        int start = bodyStart(answer, split);
        exchange.sendResponseHeaders(status, answer.length - start == 0 ? -1 : answer.length - start);
        if (answer.length > start) {
            exchange.getResponseBody().write(answer, start, answer.length - start);
        }
    }

    private static int headerEnd(byte[] answer) {
        for (int i = 0; i + 1 < answer.length; i++) {
            if (answer[i] == '\n' && (answer[i + 1] == '\n' || (answer[i + 1] == '\r' && i + 2 < answer.length
                    && answer[i + 2] == '\n'))) {
                return i + 1;
            }
        }
        return answer.length;
    }

    private static int bodyStart(byte[] answer, int headerEnd) {
        if (headerEnd < answer.length && answer[headerEnd] == '\r') {
            return Math.min(answer.length, headerEnd + 2);
        }
        return Math.min(answer.length, headerEnd + 1);
    }

    private void recordProcesses() {
        ProcessHandle.current().descendants().forEach(process -> {
            Path proc = Path.of("/proc", String.valueOf(process.pid()));
            try {
                processesSeen.add(nulsToSpaces(Files.readAllBytes(proc.resolve("cmdline"))) + " | "
                        + nulsToSpaces(Files.readAllBytes(proc.resolve("environ"))));
            } catch (IOException e) {
                // the process ended between listing and reading: it is not alive during the request
            }
        });
    }

    private static String nulsToSpaces(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        for (byte b : bytes) {
            out.write(b == 0 ? ' ' : b);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static SSLContext serverContext(TestPki.Credential credential) throws GeneralSecurityException, IOException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("git", credential.issued().privateKey(), new char[0],
                new Certificate[] {credential.issued().certificate()});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
