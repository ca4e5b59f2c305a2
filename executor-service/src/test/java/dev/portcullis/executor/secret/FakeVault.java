package dev.portcullis.executor.secret;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * Vault's HTTP API, as much as the executor uses, on loopback: KV v2 reads, AWS credential roles
 * with leases, lease revocation, AppRole login, and Vault's 403 for anything the token may not
 * read. Records every request so tests can check what the driver sent.
 */
final class FakeVault implements AutoCloseable {
    /** One request as the server saw it. */
    record Request(String method, String path, String token, String body) {}

    private record AwsRole(String accessKey, String secretKey, String sessionToken) {}

    private final HttpServer server;
    private final String scheme;
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final Map<String, Map<String, String>> kv = new ConcurrentHashMap<>();
    private final Map<String, AwsRole> awsRoles = new ConcurrentHashMap<>();
    private final Set<String> denied = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, String> appRoles = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<String> issuedLeases = new CopyOnWriteArrayList<>();
    private final List<String> revokedLeases = new CopyOnWriteArrayList<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private volatile boolean revocationFails;
    private volatile long appRoleTtlSeconds = 3600;

    private FakeVault(HttpServer server, String scheme) {
        this.server = server;
        this.scheme = scheme;
        server.createContext("/", this::handle);
        server.start();
    }

    /** Plain HTTP on 127.0.0.1, a free port. */
    static FakeVault start() {
        try {
            return new FakeVault(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), "http");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** HTTPS on 127.0.0.1 with {@code tls} as the server's identity. */
    static FakeVault startTls(SSLContext tls) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            return new FakeVault(server, "https");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String address() {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Accepts {@code token} in X-Vault-Token. */
    FakeVault token(String token) {
        tokens.add(token);
        return this;
    }

    /** A KV v2 secret at its API path, e.g. {@code secret/data/prod/app}. */
    FakeVault kv(String apiPath, Map<String, String> data) {
        kv.put(apiPath, Map.copyOf(data));
        return this;
    }

    /** An AWS role at e.g. {@code aws/creds/deploy-prod}; {@code sessionToken} may be null (IAM user). */
    FakeVault awsRole(String path, String accessKey, String secretKey, String sessionToken) {
        awsRoles.put(path, new AwsRole(accessKey, secretKey, sessionToken));
        return this;
    }

    /** Answers 403 permission denied for {@code path}, whatever the token. */
    FakeVault deny(String path) {
        denied.add(path);
        return this;
    }

    /** Answers {@code status} with a Vault error body for {@code path}. */
    FakeVault fail(String path, int status) {
        failures.put(path, status);
        return this;
    }

    /** Accepts an AppRole login with this pair; the issued token can read everything not denied. */
    FakeVault appRole(String roleId, String secretId, long ttlSeconds) {
        appRoles.put(roleId, secretId);
        appRoleTtlSeconds = ttlSeconds;
        return this;
    }

    /** Makes every lease revocation fail with a 500. */
    FakeVault failRevocations() {
        revocationFails = true;
        return this;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requests(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
    }

    List<String> issuedLeases() {
        return List.copyOf(issuedLeases);
    }

    List<String> revokedLeases() {
        return List.copyOf(revokedLeases);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath().replaceFirst("^/v1/", "");
            String token = exchange.getRequestHeaders().getFirst("X-Vault-Token");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(method, path, token, body));

            if (method.equals("POST") && path.equals("auth/approle/login")) {
                logIn(exchange, body);
            } else if (token == null || !tokens.contains(token) || denied.contains(path)) {
                error(exchange, 403, "permission denied");
            } else if (failures.containsKey(path)) {
                error(exchange, failures.get(path), "injected failure");
            } else if ((method.equals("PUT") || method.equals("POST")) && path.equals("sys/leases/revoke")) {
                revoke(exchange, body);
            } else if (method.equals("GET") && kv.containsKey(path)) {
                readKv(exchange, kv.get(path));
            } else if (method.equals("GET") && awsRoles.containsKey(path)) {
                readAws(exchange, path, awsRoles.get(path));
            } else {
                error(exchange, 404, null);
            }
        } finally {
            exchange.close();
        }
    }

    private void logIn(HttpExchange exchange, String body) throws IOException {
        JsonObject request = Json.parse(body).asObject();
        String roleId = request.getString("role_id", "");
        String secretId = request.getString("secret_id", "");
        if (!secretId.equals(appRoles.get(roleId))) {
            error(exchange, 400, "invalid role or secret ID");
            return;
        }
        String token = "hvs.approle-" + sequence.incrementAndGet() + "-0123456789abcdef";
        tokens.add(token);
        send(exchange, 200, Json.object()
                .add("request_id", "req-" + sequence.get())
                .add("lease_id", "")
                .add("renewable", false)
                .add("lease_duration", 0)
                .add("data", Json.NULL)
                .add("auth", Json.object()
                        .add("client_token", token)
                        .add("accessor", "accessor-" + sequence.get())
                        .add("policies", Json.array("default", "portcullis-executor"))
                        .add("lease_duration", appRoleTtlSeconds)
                        .add("renewable", true)));
    }

    private void readKv(HttpExchange exchange, Map<String, String> data) throws IOException {
        JsonObject values = Json.object();
        data.forEach(values::add);
        send(exchange, 200, Json.object()
                .add("request_id", "req-" + sequence.incrementAndGet())
                .add("lease_id", "")
                .add("renewable", false)
                .add("lease_duration", 0)
                .add("data", Json.object()
                        .add("data", values)
                        .add("metadata", Json.object()
                                .add("created_time", "2024-03-04T10:00:00.000000Z")
                                .add("deletion_time", "")
                                .add("destroyed", false)
                                .add("version", 3))));
    }

    private void readAws(HttpExchange exchange, String path, AwsRole role) throws IOException {
        String leaseId = path + "/lease" + sequence.incrementAndGet();
        issuedLeases.add(leaseId);
        send(exchange, 200, Json.object()
                .add("request_id", "req-" + sequence.get())
                .add("lease_id", leaseId)
                .add("renewable", true)
                .add("lease_duration", 900)
                .add("data", Json.object()
                        .add("access_key", role.accessKey())
                        .add("secret_key", role.secretKey())
                        .add("security_token", role.sessionToken() == null ? Json.NULL : Json.value(role.sessionToken()))));
    }

    private void revoke(HttpExchange exchange, String body) throws IOException {
        JsonValue leaseId = Json.parse(body).asObject().get("lease_id");
        if (revocationFails) {
            error(exchange, 500, "internal error");
        } else if (leaseId == null || !issuedLeases.contains(leaseId.asString())) {
            error(exchange, 400, "invalid lease");
        } else {
            revokedLeases.add(leaseId.asString());
            exchange.sendResponseHeaders(204, -1);
        }
    }

    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        send(exchange, status, Json.object().add("errors", message == null ? Json.array(new String[0]) : Json.array(message)));
    }

    private static void send(HttpExchange exchange, int status, JsonValue json) throws IOException {
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json"); // the driver's login wants exactly this
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
