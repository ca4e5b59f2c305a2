package dev.portcullis.console.devidp;

import static dev.portcullis.console.web.Html.text;
import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * DEV ONLY: a small OpenID provider on loopback so the console can be signed in to without a
 * company identity provider. Its authorize page lets whoever opens it pick a dev user
 * ({@link #USERS}: approver, auditor, admin, requester) with no password; it then does what a real
 * provider does for the console: authorization code flow for registered redirect URIs only, PKCE
 * required (S256, the verifier checked at the token endpoint), codes single-use and valid a
 * minute, RS256 ID tokens with {@code iss}, {@code aud}, {@code sub} (the user's name),
 * {@code name}, {@code email}, {@code nonce}, {@code auth_time} (the moment of the pick, so
 * {@code prompt=login} always gives a fresh login), {@code amr} and an hour's lifetime; discovery
 * and a JWK set. Thread-safe; stops on {@link #close()}.
 */
public final class DevIdentityProvider implements AutoCloseable {
    /** The dev users, each signing in as {@code spiffe://TD/human/NAME} once the gateway maps {@code sub}. */
    public static final List<String> USERS = List.of("approver", "auditor", "admin", "requester");
    /** The client id dev mode registers the console as. */
    public static final String CLIENT_ID = "portcullis-console";
    private static final Duration CODE_FOR = Duration.ofMinutes(1);
    private static final Duration TOKEN_FOR = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Grant(String clientId, String redirectUri, String challenge, String nonce, String user, Instant authTime,
            Instant issuedAt) {}

    private final HttpsServer server;
    private final RSAKey key;
    private final Clock clock;
    private final String url;
    private final String keySet;
    private final Map<String, String> redirectUris = new ConcurrentHashMap<>();
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();

    private DevIdentityProvider(HttpsServer server, RSAKey key, Clock clock) {
        this.server = server;
        this.key = key;
        this.clock = clock;
        this.url = "https://127.0.0.1:" + server.getAddress().getPort();
        this.keySet = new JWKSet(key.toPublicJWK()).toString();
        server.createContext("/.well-known/openid-configuration", this::discovery);
        server.createContext("/jwks", exchange -> reply(exchange, 200, "application/json", keySet));
        server.createContext("/authorize", this::authorize);
        server.createContext("/token", this::token);
        server.start();
    }

    /**
     * Listens on loopback {@code port} (0: a free one) with TLS {@code tls} and signs with
     * {@code key} (an RSA key with a {@code kid}).
     *
     * @throws UncheckedIOException when it cannot listen
     */
    public static DevIdentityProvider start(int port, SSLContext tls, RSAKey key, Clock clock) {
        requireNonNull(tls, "tls is null");
        requireNonNull(key, "key is null");
        if (key.getKeyID() == null || !key.isPrivate()) {
            throw new IllegalArgumentException("the signing key needs a kid and its private part");
        }
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            return new DevIdentityProvider(server, key, requireNonNull(clock, "clock is null"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the dev identity provider on loopback port " + port, e);
        }
    }

    /** The issuer URL, {@code https://127.0.0.1:PORT}. */
    public String url() {
        return url;
    }

    /** Registers client {@code clientId} with its one redirect URI; authorization requests naming another are refused. */
    public void register(String clientId, URI redirectUri) {
        redirectUris.put(requireNonNull(clientId, "clientId is null"), requireNonNull(redirectUri, "redirectUri is null").toString());
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void discovery(HttpExchange exchange) throws IOException {
        reply(exchange, 200, "application/json", "{\"issuer\":\"" + url + "\",\"authorization_endpoint\":\"" + url + "/authorize\","
                + "\"token_endpoint\":\"" + url + "/token\",\"jwks_uri\":\"" + url + "/jwks\","
                + "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"],\"code_challenge_methods_supported\":[\"S256\"],"
                + "\"token_endpoint_auth_methods_supported\":[\"none\"],\"scopes_supported\":[\"openid\",\"profile\",\"email\"]}");
    }

    /** GET shows the user picker; POST (the picker's form) issues a code and redirects back to the client. */
    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> request = exchange.getRequestMethod().equals("POST") ? form(exchange)
                : parameters(exchange.getRequestURI().getRawQuery());
        String clientId = request.getOrDefault("client_id", "");
        String redirectUri = request.getOrDefault("redirect_uri", "");
        if (!redirectUri.equals(redirectUris.get(clientId))) {
            // never redirect to an unregistered URI: say so here instead
            reply(exchange, 400, "text/plain; charset=utf-8", "unknown client_id or redirect_uri not registered for it");
            return;
        }
        String state = request.getOrDefault("state", "");
        if (!"code".equals(request.get("response_type")) || !"S256".equals(request.get("code_challenge_method"))
                || request.getOrDefault("code_challenge", "").length() < 43 || !request.getOrDefault("scope", "").contains("openid")) {
            redirect(exchange, redirectUri, Map.of("error", "invalid_request", "error_description",
                    "response_type=code, scope openid and PKCE with S256 are required", "state", state));
            return;
        }
        if (exchange.getRequestMethod().equals("GET")) {
            reply(exchange, 200, "text/html; charset=utf-8", picker(request));
            return;
        }
        String user = request.getOrDefault("user", "");
        if (!USERS.contains(user)) {
            redirect(exchange, redirectUri, Map.of("error", "access_denied", "state", state));
            return;
        }
        Instant now = clock.instant();
        codes.values().removeIf(grant -> now.isAfter(grant.issuedAt().plus(CODE_FOR)));
        String code = random();
        codes.put(code, new Grant(clientId, redirectUri, request.get("code_challenge"), request.getOrDefault("nonce", ""), user, now, now));
        redirect(exchange, redirectUri, Map.of("code", code, "state", state));
    }

    private String picker(Map<String, String> request) {
        StringBuilder hidden = new StringBuilder();
        for (String name : List.of("client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge",
                "code_challenge_method")) {
            hidden.append("<input type=\"hidden\" name=\"").append(name).append("\" value=\"")
                    .append(text(request.getOrDefault(name, ""))).append("\">");
        }
        StringBuilder buttons = new StringBuilder();
        for (String user : USERS) {
            buttons.append("<button type=\"submit\" name=\"user\" value=\"").append(user).append("\" id=\"user-").append(user)
                    .append("\">Sign in as ").append(user).append("</button>\n");
        }
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>Portcullis dev identity provider (DEV ONLY)</title></head><body>"
                + "<h1>Portcullis dev identity provider</h1><p><strong>DEV ONLY.</strong> Anyone who reaches this page signs in"
                + " as anyone. Pick who you are:</p><form method=\"post\" action=\"/authorize\">" + hidden + buttons
                + "</form></body></html>\n";
    }

    /** Exchanges a code for an ID token when the PKCE verifier, client and redirect URI match. */
    private void token(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            reply(exchange, 405, "application/json", "{\"error\":\"invalid_request\"}");
            return;
        }
        Map<String, String> request = form(exchange);
        Grant grant = codes.remove(request.getOrDefault("code", ""));
        Instant now = clock.instant();
        if (!"authorization_code".equals(request.get("grant_type")) || grant == null || now.isAfter(grant.issuedAt().plus(CODE_FOR))
                || !grant.clientId().equals(request.get("client_id")) || !grant.redirectUri().equals(request.get("redirect_uri"))
                || !grant.challenge().equals(challenge(request.getOrDefault("code_verifier", "")))) {
            reply(exchange, 400, "application/json", "{\"error\":\"invalid_grant\"}");
            return;
        }
        String idToken = sign(new JWTClaimsSet.Builder().issuer(url).audience(grant.clientId()).subject(grant.user())
                .claim("name", "Dev " + grant.user()).claim("email", grant.user() + "@portcullis.dev").claim("nonce", grant.nonce())
                .claim("auth_time", grant.authTime().getEpochSecond()).claim("amr", List.of("pwd", "mfa"))
                .jwtID(UUID.randomUUID().toString()).issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(TOKEN_FOR))).build());
        reply(exchange, 200, "application/json", "{\"id_token\":\"" + idToken + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                + TOKEN_FOR.toSeconds() + "}");
    }

    private String sign(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
                    claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a dev ID token", e);
        }
    }

    private static void redirect(HttpExchange exchange, String redirectUri, Map<String, String> query) throws IOException {
        StringBuilder location = new StringBuilder(redirectUri).append(redirectUri.contains("?") ? '&' : '?');
        query.forEach((name, value) -> location.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)).append('&'));
        location.setLength(location.length() - 1);
        try (exchange) {
            exchange.getResponseHeaders().set("Location", location.toString());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            exchange.sendResponseHeaders(302, -1);
        }
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; form-action 'self' https:; frame-ancestors 'none'");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static Map<String, String> form(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(64 * 1024);
            return parameters(new String(body, StandardCharsets.UTF_8));
        }
    }

    private static Map<String, String> parameters(String raw) {
        Map<String, String> values = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                values.putIfAbsent(name, equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // a malformed escape: the parameter is left out
            }
        }
        return values;
    }

    private static String challenge(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
