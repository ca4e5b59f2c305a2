package dev.portcullis.cli.call;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
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
    /**
     * The shell command that exports what {@code portcullis dev} wrote to {@code .portcullis/dev.env}
     * (its default data directory): the one hint every message about a missing or stale setting gives.
     */
    public static final String DEV_ENV_COMMAND = "set -a; . .portcullis/dev.env; set +a";

    private final Map<String, String> environment;
    private final Clock clock;

    public ClientEnvironment(Map<String, String> environment) {
        this(environment, Clock.systemUTC());
    }

    /** As read at {@code clock}'s time: a certificate that is not valid then is refused before connecting. */
    public ClientEnvironment(Map<String, String> environment, Clock clock) {
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        this.clock = requireNonNull(clock, "clock is null");
    }

    private static Map<String, String> orderedAddresses() {
        Map<String, String> addresses = new LinkedHashMap<>();
        addresses.put("gateway", "PORTCULLIS_GATEWAY_ADDR");
        addresses.put("policy", "PORTCULLIS_POLICY_ADDR");
        addresses.put("executor", "PORTCULLIS_EXECUTOR_ADDR");
        addresses.put("audit", "PORTCULLIS_AUDIT_ADDR");
        return Collections.unmodifiableMap(addresses);
    }

    /** The address of {@code service}, when its variable is set. */
    public Optional<String> address(String service) {
        return Optional.ofNullable(environment.get(ADDRESS_VARIABLES.get(service))).filter(s -> !s.isBlank());
    }

    /**
     * The caller's TLS files from PORTCULLIS_CA_FILE, PORTCULLIS_CERT_FILE and PORTCULLIS_KEY_FILE,
     * read and checked ({@link ClientTls#load}).
     *
     * @throws IllegalStateException naming the variable that is missing, or the file that cannot
     *     be used and why
     */
    public ClientTls tls() {
        return ClientTls.load(file(ClientTls.CA_VARIABLE), file(ClientTls.CERT_VARIABLE), file(ClientTls.KEY_VARIABLE), clock);
    }

    /**
     * For a caller with an identity token: {@link #tls()} when PORTCULLIS_CERT_FILE or
     * PORTCULLIS_KEY_FILE is set (both are then needed, and both certificate and token are sent),
     * else only the trust bundle of PORTCULLIS_CA_FILE ({@link ClientTls#trustOnly}).
     */
    public ClientTls tlsWithToken() {
        if (isSet(ClientTls.CERT_VARIABLE) || isSet(ClientTls.KEY_VARIABLE)) {
            return tls();
        }
        return ClientTls.trustOnly(file(ClientTls.CA_VARIABLE));
    }

    private boolean isSet(String variable) {
        String value = environment.get(variable);
        return value != null && !value.isBlank();
    }

    /** mTLS credentials from the checked files of {@link #tls()}. */
    public ChannelCredentials credentials() {
        return tls().credentials();
    }

    private Path file(String variable) {
        String value = environment.get(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(variable + " is not set (run `" + DEV_ENV_COMMAND + "` while"
                    + " `./portcullis dev` runs, or set it)");
        }
        Path path = Path.of(value);
        if (!Files.isReadable(path)) {
            throw new IllegalStateException(variable + " names a file that does not exist or cannot be read: " + value);
        }
        return path;
    }
}
