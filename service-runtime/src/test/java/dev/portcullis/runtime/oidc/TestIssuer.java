package dev.portcullis.runtime.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.portcullis.runtime.testing.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An OIDC issuer over HTTPS on loopback, as GitHub Actions and GitLab CI publish theirs: an OpenID
 * discovery document and a JWK set. Tests publish and rotate keys, make the discovery document lie,
 * pad the key set and take the issuer down; it counts the key set requests it answered.
 */
public final class TestIssuer implements AutoCloseable {
    /** Generated once: RSA key generation is slow and the keys are immutable. */
    public static final RSAKey FIRST_KEY = rsa("first");
    public static final RSAKey SECOND_KEY = rsa("second");
    public static final ECKey EC_KEY = ec("ec");
    public static final String AUDIENCE = "https://portcullis.example.org";

    private final HttpsServer server;
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private volatile List<JWK> published = List.of(FIRST_KEY.toPublicJWK());
    private volatile String discoveredIssuer;
    private volatile String discoveredJwksUri;
    private volatile int jwksPaddingBytes;

    private TestIssuer(HttpsServer server) {
        this.server = server;
        server.createContext("/.well-known/openid-configuration", this::discovery);
        server.createContext("/jwks", this::jwks);
        server.start();
    }

    /** Serves on 127.0.0.1, a free port, with a certificate from {@code pki}. */
    public static TestIssuer start(TestPki pki) {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(serverTls(pki)));
            return new TestIssuer(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The issuer URL, also the {@code iss} of its tokens. */
    public String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    public URI jwksUrl() {
        return URI.create(url() + "/jwks");
    }

    /** Settings for this issuer trusting {@code pki}'s CA, mapping tokens with {@code template}. */
    public OidcIssuer.Builder settings(String name, TestPki pki, String template) {
        return OidcIssuer.builder(name, URI.create(url()), AUDIENCE, new IdentityTemplate(template),
                OidcIssuer.readCaBundle(pki.caFile()));
    }

    /** From now on the key set holds (the public halves of) exactly these keys. */
    public void publish(JWK... keys) {
        published = List.of(keys).stream().map(JWK::toPublicJWK).toList();
    }

    /** The discovery document names {@code issuer} instead of this issuer. */
    public void discoveryNames(String issuer) {
        discoveredIssuer = issuer;
    }

    /** The discovery document names {@code jwksUri} as the key set's URL. */
    public void discoveryPointsAt(String jwksUri) {
        discoveredJwksUri = jwksUri;
    }

    /** The key set document carries {@code bytes} of padding. */
    public void padKeySet(int bytes) {
        jwksPaddingBytes = bytes;
    }

    /** Key set requests answered so far. */
    public int jwksRequests() {
        return jwksRequests.get();
    }

    /** Stops listening: connections are refused from now on. */
    @Override
    public void close() {
        server.stop(0);
    }

    private void discovery(HttpExchange exchange) throws IOException {
        String issuer = discoveredIssuer == null ? url() : discoveredIssuer;
        String jwksUri = discoveredJwksUri == null ? jwksUrl().toString() : discoveredJwksUri;
        reply(exchange, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + jwksUri
                + "\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}");
    }

    private void jwks(HttpExchange exchange) throws IOException {
        jwksRequests.incrementAndGet();
        String keys = new JWKSet(published).toString();
        int padding = jwksPaddingBytes;
        reply(exchange, padding == 0 ? keys
                : keys.substring(0, keys.length() - 1) + ",\"padding\":\"" + "x".repeat(padding) + "\"}");
    }

    private static void reply(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static SSLContext serverTls(TestPki pki) {
        TestPki.Credential credential = pki.issue("issuer", TestPki.id("oidc-issuer"));
        try {
            X509Certificate ca = OidcIssuer.readCaBundle(pki.caFile()).get(0);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("issuer", credential.issued().privateKey(), new char[0],
                    new Certificate[] {credential.issued().certificate(), ca});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make the issuer's TLS context", e);
        }
    }

    private static RSAKey rsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ECKey ec(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
