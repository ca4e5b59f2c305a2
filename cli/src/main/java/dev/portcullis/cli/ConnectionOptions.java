package dev.portcullis.cli;

import io.grpc.ManagedChannel;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The caller's certificate and trust bundle as options, defaulting to the
 * {@code PORTCULLIS_{CA,CERT,KEY}_FILE} variables that {@code portcullis dev} writes.
 */
public final class ConnectionOptions {
    @Option(names = "--ca-file", defaultValue = "${env:PORTCULLIS_CA_FILE}", description = "Trusted CA bundle (PEM).")
    String caFile;

    @Option(names = "--cert-file", defaultValue = "${env:PORTCULLIS_CERT_FILE}", description = "Client certificate (PEM).")
    String certFile;

    @Option(names = "--key-file", defaultValue = "${env:PORTCULLIS_KEY_FILE}", description = "Client key (PKCS#8 PEM).")
    String keyFile;

    /**
     * An mTLS channel to {@code service} (gateway, audit, …) at {@code address}, whose failures
     * name both. The TLS files are checked first ({@link ClientTls#load}): a problem with them
     * stops the command here, before any connection.
     */
    public ManagedChannel open(String service, String address) {
        Endpoint endpoint = Endpoint.of(service, address);
        Map<String, String> files = new HashMap<>();
        put(files, ClientTls.CA_VARIABLE, caFile);
        put(files, ClientTls.CERT_VARIABLE, certFile);
        put(files, ClientTls.KEY_VARIABLE, keyFile);
        return new ClientEnvironment(files).tls().channel(endpoint);
    }

    private static void put(Map<String, String> files, String name, String value) {
        if (value != null) {
            files.put(name, value);
        }
    }
}
