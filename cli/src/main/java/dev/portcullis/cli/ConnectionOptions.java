package dev.portcullis.cli;

import io.grpc.ManagedChannel;
import io.grpc.Grpc;
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

    /** An mTLS channel to {@code address}, which {@code variable} names when it is missing. */
    public ManagedChannel open(String address, String variable) {
        if (address == null || address.isBlank()) {
            throw new IllegalStateException(variable + " is not set (or pass the address option)");
        }
        Map<String, String> files = new HashMap<>();
        put(files, "PORTCULLIS_CA_FILE", caFile);
        put(files, "PORTCULLIS_CERT_FILE", certFile);
        put(files, "PORTCULLIS_KEY_FILE", keyFile);
        return Grpc.newChannelBuilder(address, new ClientEnvironment(files).credentials()).build();
    }

    private static void put(Map<String, String> files, String name, String value) {
        if (value != null) {
            files.put(name, value);
        }
    }
}
