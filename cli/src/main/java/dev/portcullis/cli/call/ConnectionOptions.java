package dev.portcullis.cli.call;

import io.grpc.ManagedChannel;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The caller's certificate and trust bundle as options, defaulting to the
 * {@code PORTCULLIS_{CA,CERT,KEY}_FILE} variables that {@code portcullis dev} writes.
 */
public final class ConnectionOptions {
    @Option(names = "--ca-file", defaultValue = "${env:PORTCULLIS_CA_FILE}", paramLabel = "FILE",
            description = "The CA bundle (PEM) that issued the services' certificates (default: $PORTCULLIS_CA_FILE).")
    String caFile;

    @Option(names = "--cert-file", defaultValue = "${env:PORTCULLIS_CERT_FILE}", paramLabel = "FILE",
            description = "Our certificate (PEM) (default: $PORTCULLIS_CERT_FILE).")
    String certFile;

    @Option(names = "--key-file", defaultValue = "${env:PORTCULLIS_KEY_FILE}", paramLabel = "FILE",
            description = "The key of our certificate, unencrypted PKCS#8 PEM (default: $PORTCULLIS_KEY_FILE).")
    String keyFile;

    /**
     * An mTLS channel to {@code service} (gateway, audit, …) at {@code address}, whose failures
     * name both. The TLS files are checked first ({@link ClientTls#load}): a problem with them
     * stops the command here, before any connection.
     */
    public ManagedChannel open(String service, String address) {
        Endpoint endpoint = Endpoint.of(service, address);
        return new ClientEnvironment(files()).tls().channel(endpoint);
    }

    /**
     * A TLS channel to {@code service} at {@code address} sending {@code token} on every call. The
     * certificate and key are optional here: without them only the CA file is checked and used;
     * with them, both the certificate and the token are sent.
     */
    public ManagedChannel open(String service, String address, IdToken token) {
        Endpoint endpoint = Endpoint.of(service, address);
        return new ClientEnvironment(files()).tlsWithToken().channel(endpoint, token);
    }

    private Map<String, String> files() {
        Map<String, String> files = new HashMap<>();
        put(files, ClientTls.CA_VARIABLE, caFile);
        put(files, ClientTls.CERT_VARIABLE, certFile);
        put(files, ClientTls.KEY_VARIABLE, keyFile);
        return files;
    }

    private static void put(Map<String, String> files, String name, String value) {
        if (value != null) {
            files.put(name, value);
        }
    }
}
