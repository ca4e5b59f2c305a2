package dev.portcullis.console.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.portcullis.console.devidp.DevIdentityProvider;
import dev.portcullis.console.server.ConsoleLauncher;
import dev.portcullis.console.server.ConsoleLauncher.RunningConsole;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.TlsMaterial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A console as deployed, in one test: a per-test PKI, the dev identity provider as its OIDC
 * provider (real authorization code flow with PKCE), a {@link StandInGateway} for the gateway and
 * audit service across real mTLS, and the console itself started by its launcher, its refusals
 * spooled in {@code DIR/spool}.
 */
public final class ConsoleFixture implements AutoCloseable {
    public final TestPki pki;
    public final RSAKey signingKey;
    public final DevIdentityProvider idp;
    public final StandInGateway gateway;
    public final RunningConsole console;
    public final String url;
    private final TlsMaterial idpTls;
    private final TlsMaterial gatewayTls;

    private ConsoleFixture(Path dir, Map<String, Object> overrides) {
        pki = TestPki.create(dir.resolve("pki"));
        idpTls = TlsMaterial.load(pki.tlsConfig(pki.issue("idp", TestPki.id("dev/idp")), Duration.ofMinutes(10)));
        gatewayTls = TlsMaterial.load(pki.tlsConfig(pki.issue("gateway", TestPki.id("service/gateway")), Duration.ofMinutes(10)));
        try {
            signingKey = new RSAKeyGenerator(2048).keyID("test-key").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        idp = DevIdentityProvider.start(0, idpTls.serverAuthContext(), signingKey, Clock.systemUTC());
        gateway = new StandInGateway(gatewayTls);
        TestPki.Credential console = pki.issue("console", TestPki.id("console"));
        int port = freePort();
        url = "https://localhost:" + port;
        Map<String, Object> properties = new HashMap<>();
        properties.put("portcullis.tls.cert-file", console.certFile().toString());
        properties.put("portcullis.tls.key-file", console.keyFile().toString());
        properties.put("portcullis.tls.ca-file", pki.caFile().toString());
        properties.put("portcullis.console.host", "127.0.0.1");
        properties.put("portcullis.console.port", port);
        properties.put("portcullis.console.public-url", url);
        properties.put("portcullis.console.gateway-address", "localhost:" + gateway.port());
        properties.put("portcullis.console.audit-address", "localhost:" + gateway.port());
        properties.put("portcullis.console.oidc.issuer-url", idp.url());
        properties.put("portcullis.console.oidc.client-id", DevIdentityProvider.CLIENT_ID);
        properties.put("portcullis.console.oidc.ca-file", pki.caFile().toString());
        properties.put("portcullis.audit-outbox.spool-dir", dir.resolve("spool").toString());
        properties.putAll(overrides);
        idp.register(DevIdentityProvider.CLIENT_ID, java.net.URI.create(url + "/signin/callback"));
        this.console = ConsoleLauncher.start(properties, false);
    }

    public static ConsoleFixture start(Path dir) {
        return new ConsoleFixture(dir, Map.of());
    }

    /** A console whose configuration has {@code overrides} on top of the fixture's. */
    public static ConsoleFixture start(Path dir, Map<String, Object> overrides) {
        return new ConsoleFixture(dir, overrides);
    }

    /** A browser trusting the test CA. */
    public Browser browser() {
        return new Browser(pki.caFile());
    }

    /**
     * Signs {@code browser} in as dev user {@code user}: opens {@code path}, is sent to the
     * provider, picks the user there, comes back; returns the page the sign-in ends on.
     */
    public java.net.http.HttpResponse<String> signIn(Browser browser, String path, String user) {
        var picker = browser.follow(url + path);
        var form = FormFields.of(picker.body());
        form.put("user", user);
        var back = browser.post(idp.url() + "/authorize", idp.url(), form);
        return browser.get(back.headers().firstValue("Location").orElseThrow());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        console.close();
        gateway.close();
        idp.close();
        idpTls.close();
        gatewayTls.close();
    }
}
