package dev.portcullis.cli;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How the CLI reaches the suite: the service addresses and the caller's certificate, from the
 * {@code PORTCULLIS_*} environment variables that {@code portcullis dev} writes to
 * {@code DATA_DIR/dev.env}.
 */
public final class ClientEnvironment {
    /** Service name to the variable holding its address. */
    public static final Map<String, String> ADDRESS_VARIABLES = orderedAddresses();

    private final Map<String, String> environment;

    public ClientEnvironment(Map<String, String> environment) {
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
    }

    private static Map<String, String> orderedAddresses() {
        Map<String, String> addresses = new LinkedHashMap<>();
        addresses.put("gateway", "PORTCULLIS_GATEWAY_ADDR");
        addresses.put("policy", "PORTCULLIS_POLICY_ADDR");
        addresses.put("executor", "PORTCULLIS_EXECUTOR_ADDR");
        addresses.put("audit", "PORTCULLIS_AUDIT_ADDR");
        return java.util.Collections.unmodifiableMap(addresses);
    }

    /** The address of {@code service}, when its variable is set. */
    public Optional<String> address(String service) {
        return Optional.ofNullable(environment.get(ADDRESS_VARIABLES.get(service))).filter(s -> !s.isBlank());
    }

    /**
     * mTLS credentials from PORTCULLIS_CA_FILE, PORTCULLIS_CERT_FILE and PORTCULLIS_KEY_FILE.
     *
     * @throws IllegalStateException naming the variable that is missing or names no readable file
     */
    public ChannelCredentials credentials() {
        Path ca = file("PORTCULLIS_CA_FILE");
        Path cert = file("PORTCULLIS_CERT_FILE");
        Path key = file("PORTCULLIS_KEY_FILE");
        try {
            return TlsChannelCredentials.newBuilder()
                    .keyManager(cert.toFile(), key.toFile())
                    .trustManager(ca.toFile())
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the TLS files named by PORTCULLIS_CA_FILE, PORTCULLIS_CERT_FILE, PORTCULLIS_KEY_FILE", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the TLS files named by PORTCULLIS_CA_FILE, PORTCULLIS_CERT_FILE, PORTCULLIS_KEY_FILE are not usable PEM files");
        }
    }

    private Path file(String variable) {
        String value = environment.get(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(variable + " is not set (source DATA_DIR/dev.env from `portcullis dev`, or set it)");
        }
        Path path = Path.of(value);
        if (!Files.isReadable(path)) {
            throw new IllegalStateException(variable + " names a file that does not exist or cannot be read: " + value);
        }
        return path;
    }
}
