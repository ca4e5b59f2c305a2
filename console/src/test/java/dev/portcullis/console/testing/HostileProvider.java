package dev.portcullis.console.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.TlsMaterial;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * An identity provider that answers the console's token request with whatever ID token a test
 * makes of a valid one: signed by another key under the published key's id, expired, for another
 * audience. Discovery, keys and the token endpoint over HTTPS with a PKI of its own; the user's
 * trip to it is played in-process ({@link #authorize}), as the browser's part is not under test.
 */
public final class HostileProvider implements AutoCloseable {
    private final HttpsServer server;
    private final TlsMaterial tls;
    private final RSAKey published;
    private final String url;
    private final Path caFile;
    private final Map<String, String> nonces = new ConcurrentHashMap<>();
    private volatile UnaryOperator<JWTClaimsSet.Builder> tamper = UnaryOperator.identity();
    private volatile RSAKey signer;

    private HostileProvider(Path dir) {
        TestPki pki = TestPki.create(dir);
        caFile = pki.caFile();
        tls = TlsMaterial.load(pki.tlsConfig(pki.issue("hostile-idp", TestPki.id("dev/hostile-idp")), Duration.ofMinutes(10)));
        try {
            published = new RSAKeyGenerator(2048).keyID("published").generate();
            server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        signer = published;
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverAuthContext()));
        url = "https://localhost:" + server.getAddress().getPort();
        String keys = new JWKSet(published.toPublicJWK()).toString();
        server.createContext("/.well-known/openid-configuration", exchange -> reply(exchange, 200, "{\"issuer\":\"" + url + "\","
                + "\"authorization_endpoint\":\"" + url + "/authorize\",\"token_endpoint\":\"" + url + "/token\",\"jwks_uri\":\""
                + url + "/jwks\",\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"],\"code_challenge_methods_supported\":[\"S256\"]}"));
        server.createContext("/jwks", exchange -> reply(exchange, 200, keys));
        server.createContext("/token", this::token);
        server.start();
    }

    /** Starts on a loopback port with a PKI of its own under {@code dir}. */
    public static HostileProvider start(Path dir) {
        return new HostileProvider(dir);
    }

    /** The issuer URL. */
    public String url() {
        return url;
    }

    /** The CA its HTTPS certificate chains to, for {@code portcullis.console.oidc.ca-file}. */
    public Path caFile() {
        return caFile;
    }

    /**
     * From now on, ID tokens are {@code tamper} applied to a valid one's claims, signed with the published
     * key or, when {@code forged}, with a forger's own key under the published key's id.
     */
    public void answerWith(UnaryOperator<JWTClaimsSet.Builder> tamper, boolean forged) {
        try {
            signer = forged ? new RSAKeyGenerator(2048).keyID(published.getKeyID()).generate() : published;
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        this.tamper = tamper;
    }

    /** The user's trip: for the authorization URL the console sent the browser to, the callback URL the provider sends it back to. */
    public String authorize(String authorizationUrl) {
        Map<String, String> request = parameters(URI.create(authorizationUrl).getRawQuery());
        String code = UUID.randomUUID().toString();
        nonces.put(code, request.getOrDefault("nonce", ""));
        return request.get("redirect_uri") + "?code=" + code + "&state=" + request.get("state");
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> request = parameters(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String nonce = nonces.remove(request.getOrDefault("code", ""));
        if (nonce == null) {
            reply(exchange, 400, "{\"error\":\"invalid_grant\"}");
            return;
        }
        Instant now = Instant.now();
        JWTClaimsSet claims = tamper.apply(new JWTClaimsSet.Builder().issuer(url).audience(request.get("client_id")).subject("approver")
                .claim("nonce", nonce).claim("auth_time", now.getEpochSecond()).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))))).build();
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(published.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(signer));
            reply(exchange, 200, "{\"id_token\":\"" + jwt.serialize() + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> parameters(String query) {
        Map<String, String> values = new HashMap<>();
        if (query == null || query.isEmpty()) {
            return values;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                values.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        tls.close();
    }
}
