package dev.portcullis.cli.dev.issuer;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.pki.CertificateRequest;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.pki.IssuedCertificate;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.pki.Validity;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * DEV ONLY: a small OIDC issuer on loopback over HTTPS, as GitHub Actions publishes its own: an
 * OpenID discovery document and a JWK set holding the public half of the key in
 * {@code DATA_DIR/oidc/signing-key.jwk}. Its server certificate comes from the dev PKI (valid as
 * long as the dev CA), so the dev gateway verifies it with the dev CA. It listens on the port of
 * its last start when that is free, else on a free one; its URL, the {@code iss} of its tokens, is
 * saved in {@code DATA_DIR/oidc/issuer-url} for {@code portcullis dev token}. Thread-safe; stops
 * on {@link #close()}.
 */
public final class DevIssuer implements AutoCloseable {
    /**
     * The gateway's key-fetch timeout for this issuer: on loopback an answer takes milliseconds,
     * but a first TLS handshake with this JDK server on a machine busy with builds can take
     * seconds, and the default 5 s then refuses a dev token as if the issuer were down.
     */
    public static final Duration FETCH_TIMEOUT = Duration.ofSeconds(30);

    /** The issuer's name in the gateway's configuration, {@code portcullis.oidc.issuers.dev.*}. */
    public static final String NAME = "dev";
    /** The audience the dev gateway expects. */
    public static final String AUDIENCE = "portcullis-dev";
    /** Maps a dev token to an identity the dev catalog's {@code callers} allow. */
    public static final String IDENTITY_TEMPLATE = "spiffe://" + DevPki.TRUST_DOMAIN + "/ci/github/{repository}";
    static final String URL_FILE_NAME = "issuer-url";
    private static final String CERTIFICATE_NAME = "oidc-issuer";

    private final HttpsServer server;
    private final String url;
    private final DevTokens tokens;
    private final String keySet;
    private final Path caFile;

    private DevIssuer(HttpsServer server, RSAKey key, Path caFile, Clock clock) {
        this.server = server;
        this.caFile = caFile.toAbsolutePath();
        this.url = "https://127.0.0.1:" + server.getAddress().getPort();
        this.tokens = new DevTokens(key, url, clock);
        this.keySet = new JWKSet(key.toPublicJWK()).toString();
        server.createContext("/.well-known/openid-configuration", this::discovery);
        server.createContext("/jwks", this::jwks);
        server.start();
    }

    /**
     * Starts the issuer of the data directory {@code dataDir} with a certificate from {@code pki}:
     * makes the signing key on first start, keeps it after, and saves the issuer's URL.
     *
     * @throws UncheckedIOException when it cannot listen or write its files
     */
    public static DevIssuer start(Path dataDir, DevPki pki, Clock clock) {
        requireNonNull(pki, "pki is null");
        requireNonNull(clock, "clock is null");
        Path oidc = oidcDir(requireNonNull(dataDir, "dataDir is null").toAbsolutePath());
        RSAKey key = DevSigningKey.loadOrCreate(oidc);
        HttpsServer server = listen(previousPort(oidc.resolve(URL_FILE_NAME)));
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls(pki, clock, CERTIFICATE_NAME)));
        DevIssuer issuer = new DevIssuer(server, key, pki.caFile(), clock);
        try {
            PrivateFiles.write(oidc.resolve(URL_FILE_NAME), issuer.url + "\n");
        } catch (RuntimeException e) {
            issuer.close();
            throw e;
        }
        return issuer;
    }

    /**
     * Listens on {@code port} when it is free, else on a free one: the same port keeps the issuer
     * URL, and so the tokens minted before a restart, valid after it.
     */
    private static HttpsServer listen(int port) {
        try {
            if (port != 0) {
                try {
                    return HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
                } catch (BindException taken) {
                    // someone else has it now: a new URL, and tokens minted before are refused TOKEN_ISSUER
                }
            }
            return HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the dev OIDC issuer on loopback", e);
        }
    }

    /** The port of the URL saved by the last start, 0 when there is none. */
    private static int previousPort(Path urlFile) {
        try {
            if (!Files.isRegularFile(urlFile)) {
                return 0;
            }
            int port = URI.create(Files.readString(urlFile, StandardCharsets.UTF_8).strip()).getPort();
            return port > 0 && port <= 65535 ? port : 0;
        } catch (IOException | IllegalArgumentException e) {
            return 0; // unreadable: a fresh port, and the file is rewritten
        }
    }

    static Path oidcDir(Path dataDir) {
        return dataDir.resolve("oidc");
    }

    /** The issuer URL, the {@code iss} of its tokens: {@code https://127.0.0.1:PORT}. */
    public String url() {
        return url;
    }

    /** Mints this issuer's tokens. */
    public DevTokens tokens() {
        return tokens;
    }

    /**
     * The gateway's settings accepting this issuer's tokens as issuer {@value #NAME}: its URL, the
     * dev audience, the dev CA for its TLS, the identity template, and {@link #FETCH_TIMEOUT}.
     */
    public Map<String, Object> gatewayProperties() {
        String prefix = "portcullis.oidc.issuers." + NAME + ".";
        return Map.of(
                prefix + "issuer-url", url,
                prefix + "audience", AUDIENCE,
                prefix + "ca-file", caFile.toString(),
                prefix + "identity-template", IDENTITY_TEMPLATE,
                prefix + "fetch-timeout", FETCH_TIMEOUT.toSeconds() + "s");
    }

    /** Stops listening: the gateway's next key fetch finds the issuer unreachable. */
    @Override
    public void close() {
        server.stop(0);
    }

    private void discovery(HttpExchange exchange) throws IOException {
        reply(exchange, "{\"issuer\":\"" + url + "\",\"jwks_uri\":\"" + url + "/jwks\","
                + "\"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"],"
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}");
    }

    private void jwks(HttpExchange exchange) throws IOException {
        reply(exchange, keySet);
    }

    private static void reply(HttpExchange exchange, String json) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /**
     * A TLS context serving a loopback certificate named {@code name} from the dev CA, valid as long
     * as the CA is: the dev issuer's and the dev identity provider's.
     */
    static SSLContext serverTls(DevPki pki, Clock clock, String name) {
        X509Certificate ca = PemFiles.readCertificate(pki.caFile());
        IssuedCertificate issued = pki.issue(name, new CertificateRequest(name,
                new SpiffeId("spiffe://" + DevPki.TRUST_DOMAIN + "/dev/" + name), List.of("localhost"),
                List.of("127.0.0.1", "::1"), new Validity(clock.instant().minus(Duration.ofMinutes(1)), ca.getNotAfter().toInstant())));
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(name, issued.privateKey(), new char[0], new Certificate[] {issued.certificate(), ca});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make the TLS context of dev " + name, e);
        }
    }
}
