package dev.portcullis.cli.dev;

import static java.util.Objects.requireNonNull;

import dev.portcullis.cli.dev.issuer.DevSignIn;
import dev.portcullis.console.server.ConsoleLauncher;
import dev.portcullis.console.server.ConsoleLauncher.RunningConsole;
import dev.portcullis.runtime.pki.DevPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The web console of dev mode: on loopback at {@code https://localhost:PORT}, with the dev PKI's
 * console certificate ({@code spiffe://portcullis.dev/console}, renewed with the others), calling the dev gateway and audit
 * service, humans signing in at the DEV ONLY identity provider ({@link DevSignIn}).
 */
final class DevConsole implements AutoCloseable {
    private static final String CERTIFICATE_NAME = DevPki.Member.CONSOLE.fileName();

    private final RunningConsole console;
    private final URI url;

    private DevConsole(RunningConsole console, URI url) {
        this.console = console;
        this.url = url;
    }

    /**
     * Starts the console on {@code port} (0: a free one) calling the gateway and audit service on
     * loopback at {@code gatewayPort} and {@code auditPort}, and registers it at {@code signIn}. Its
     * refusals' audit events wait in {@code DATA_DIR/spool/console}, beside policy's spool, so they
     * survive a restart of dev mode.
     */
    static DevConsole start(DevPki pki, Path dataDir, int port, int gatewayPort, int auditPort, DevSignIn signIn) {
        requireNonNull(signIn, "signIn is null");
        int chosen = port == 0 ? freePort() : port;
        URI url = URI.create("https://localhost:" + chosen);
        Map<String, Object> properties = new HashMap<>(signIn.consoleProperties());
        properties.put("portcullis.tls.cert-file", pki.certFile(CERTIFICATE_NAME).toAbsolutePath().toString());
        properties.put("portcullis.tls.key-file", pki.keyFile(CERTIFICATE_NAME).toAbsolutePath().toString());
        properties.put("portcullis.tls.ca-file", pki.caFile().toAbsolutePath().toString());
        properties.put("portcullis.console.host", "127.0.0.1");
        properties.put("portcullis.console.port", chosen);
        properties.put("portcullis.console.public-url", url.toString());
        properties.put("portcullis.console.gateway-address", "localhost:" + gatewayPort);
        properties.put("portcullis.console.audit-address", "localhost:" + auditPort);
        properties.put("portcullis.audit-outbox.spool-dir", dataDir.resolve("spool").resolve(ConsoleLauncher.NAME).toString());
        signIn.registerConsole(URI.create(url + "/signin/callback"));
        return new DevConsole(ConsoleLauncher.start(properties, false), url);
    }

    /** {@code https://localhost:PORT}. */
    URI url() {
        return url;
    }

    private static int freePort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port for the console", e);
        }
    }

    @Override
    public void close() {
        console.close();
    }
}
