package dev.portcullis.executor.secret;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import io.github.jopenlibs.vault.EnvironmentLoader;
import io.github.jopenlibs.vault.SslConfig;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.response.AuthResponse;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;

/**
 * Reads task secrets from HashiCorp Vault through the Vault Java Driver: KV v2 secrets and
 * dynamic AWS credentials, logged in with a token file or AppRole.
 *
 * <p>Only the driver's HTTP calls are used; every setting comes from {@link VaultConfig}, never
 * from the {@code VAULT_*} environment variables or {@code ~/.vault-token} the driver would
 * otherwise consult. Errors are described in our own words: the driver's messages can quote
 * Vault's response bodies, so they never reach a message or a log.
 *
 * <p>Thread-safe. With AppRole the client token is shared by tasks and renewed by a new login
 * once two thirds of its TTL have passed, or after Vault refused it.
 */
public final class VaultSecretSource implements SecretSource {
    private static final String PREFIX = "portcullis.executor.vault.";
    private static final EnvironmentLoader NO_ENVIRONMENT = new NoEnvironment();
    // a printable token without whitespace: anything else would corrupt the request header
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]{1,4096}");
    private static final Pattern AWS_ROLE_PATH = Pattern.compile(".+/(creds|sts)/[^/]+");

    private final String address;
    private final String kvMount;
    private final int timeoutSeconds;
    private final SslConfig ssl;
    private final Clock clock;
    private final VaultConfig config;
    // guarded by this: the AppRole client token and when to log in again
    private VaultToken appRoleToken;
    private Instant appRoleRenewAt = Instant.MIN;

    /** A source for {@code config}, which must be {@linkplain VaultConfig#isConfigured() configured}. */
    public VaultSecretSource(VaultConfig config) {
        this(config, Clock.systemUTC());
    }

    /**
     * @param clock decides when an AppRole token is due for a new login
     * @throws IllegalArgumentException when no address is configured or the CA file is unusable
     */
    public VaultSecretSource(VaultConfig config, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        if (!config.isConfigured()) {
            throw new IllegalArgumentException(PREFIX + "address is not set: use NoSecretSource without Vault");
        }
        this.address = config.address();
        this.kvMount = config.kvMount();
        this.timeoutSeconds = (int) Math.max(1, config.timeout().plusMillis(999).toSeconds());
        this.ssl = sslConfig(config.caFile());
    }

    @Override
    public TaskSecrets open(List<SecretGrant> grants) {
        List<SecretGrant> wanted = List.copyOf(new LinkedHashSet<>(grants));
        if (wanted.isEmpty()) {
            return TaskSecrets.none();
        }
        for (SecretGrant grant : wanted) {
            checkShape(grant); // before any request: a misplaced grant is refused without asking Vault
        }
        VaultToken token = token(wanted);
        Reading reading = new Reading();
        try {
            for (SecretGrant grant : wanted) {
                switch (grant.kind()) {
                    case KV -> readKv(token, grant, reading);
                    case AWS -> readAws(token, grant, reading);
                }
            }
        } catch (RuntimeException failure) {
            // all or nothing: what was leased for this task so far is given back before reporting
            new TaskSecrets(Map.of(), Map.of(), reading.leases, this::revoke).close();
            throw failure;
        }
        return new TaskSecrets(reading.environment, reading.valuesByPath, reading.leases, this::revoke);
    }

    private void checkShape(SecretGrant grant) {
        switch (grant.kind()) {
            case KV -> {
                String prefix = kvMount + "/data/";
                if (!grant.path().startsWith(prefix) || grant.path().length() == prefix.length()) {
                    throw SecretUnavailableException.cannotRead(grant, "a kv grant must name a secret under the KV v2 mount "
                            + kvMount + " (" + PREFIX + "kv-mount), written " + prefix + "PATH");
                }
            }
            case AWS -> {
                if (!AWS_ROLE_PATH.matcher(grant.path()).matches()) {
                    throw SecretUnavailableException.cannotRead(grant,
                            "an aws grant must name a role of the AWS secrets engine, written MOUNT/creds/ROLE or MOUNT/sts/ROLE");
                }
            }
        }
    }

    private void readKv(VaultToken token, SecretGrant grant, Reading reading) {
        // the driver puts "data" back after the mount (prefix-path depth) for KV v2
        String secret = kvMount + "/" + grant.path().substring(kvMount.length() + "/data/".length());
        LogicalResponse response;
        try {
            response = driver(2).token(token.value()).readFrom(secret);
        } catch (VaultException failure) {
            throw SecretUnavailableException.cannotRead(grant, describe(failure));
        }
        Map<String, String> data = answered(token, grant, response);
        for (Map.Entry<String, String> entry : new TreeMap<>(data).entrySet()) {
            String key = entry.getKey();
            if (!TaskSecrets.VARIABLE_NAME.matcher(key).matches()) {
                throw SecretUnavailableException.cannotRead(grant, "its key " + quoted(key)
                        + " is not a valid environment variable name ([A-Z_][A-Z0-9_]*)");
            }
            reading.define(key, entry.getValue(), grant, key);
        }
    }

    private void readAws(VaultToken token, SecretGrant grant, Reading reading) {
        LogicalResponse response;
        try {
            response = driver(1).token(token.value()).readFrom(grant.path());
        } catch (VaultException failure) {
            throw SecretUnavailableException.cannotRead(grant, describe(failure));
        }
        Map<String, String> data = answered(token, grant, response);
        String leaseId = response.getLeaseId();
        if (leaseId != null && !leaseId.isBlank()) {
            reading.leases.add(new Lease(grant, leaseId)); // first: whatever fails next, this lease is revoked
        }
        String accessKey = data.get("access_key");
        String secretKey = data.get("secret_key");
        if (accessKey == null || accessKey.isEmpty() || secretKey == null || secretKey.isEmpty()) {
            throw SecretUnavailableException.cannotRead(grant, "Vault's answer has no access_key and secret_key");
        }
        reading.define("AWS_ACCESS_KEY_ID", accessKey, grant, "access_key");
        reading.define("AWS_SECRET_ACCESS_KEY", secretKey, grant, "secret_key");
        String sessionToken = data.get("security_token");
        if (sessionToken != null && !sessionToken.isEmpty()) {
            reading.define("AWS_SESSION_TOKEN", sessionToken, grant, "security_token");
        }
    }

    /** The data of a 200 answer; anything else fails naming the grant. */
    private Map<String, String> answered(VaultToken token, SecretGrant grant, LogicalResponse response) {
        int status = response.getRestResponse().getStatus();
        if (status != 200) {
            if (status == 401 || status == 403) {
                forget(token); // a revoked or expired AppRole token: the next task logs in again
            }
            throw SecretUnavailableException.cannotRead(grant, statusText(status));
        }
        if (response.getDataObject() == null) {
            throw SecretUnavailableException.cannotRead(grant, "Vault's answer has no data");
        }
        return response.getData();
    }

    private void revoke(Lease lease) {
        VaultToken token = token(List.of(lease.grant()));
        try {
            driver(1).token(token.value()).vault().sys().leases().revoke(lease.id());
        } catch (VaultException failure) {
            throw new SecretUnavailableException(List.of(lease.grant()),
                    "cannot revoke the lease of " + lease.grant() + ": " + describe(failure));
        }
    }

    private VaultToken token(List<SecretGrant> grants) {
        if (config.tokenFile() != null) {
            return new VaultToken(readCredential(grants, config.tokenFile(), "token-file", "the Vault token"));
        }
        // one login at a time: tasks starting together share it rather than each logging in
        synchronized (this) {
            Instant now = clock.instant();
            if (appRoleToken == null || !now.isBefore(appRoleRenewAt)) {
                AuthResponse login = logInWithAppRole(grants);
                long ttlSeconds = login.getAuthLeaseDuration();
                appRoleToken = new VaultToken(login.getAuthClientToken());
                appRoleRenewAt = ttlSeconds <= 0 ? Instant.MAX : now.plusSeconds(ttlSeconds * 2 / 3);
            }
            return appRoleToken;
        }
    }

    private synchronized void forget(VaultToken token) {
        if (token == appRoleToken) {
            appRoleToken = null;
        }
    }

    /** A successful login whose client token is usable in a header. */
    private AuthResponse logInWithAppRole(List<SecretGrant> grants) {
        String secretId = readCredential(grants, config.approleSecretIdFile(), "approle-secret-id-file", "the AppRole secret id");
        AuthResponse response;
        try {
            response = driver(1).vault().auth().loginByAppRole(config.approleRoleId(), secretId);
        } catch (VaultException failure) {
            throw new SecretUnavailableException(grants, "cannot read " + names(grants) + ": the AppRole login ("
                    + PREFIX + "approle-role-id) failed: " + describe(failure));
        }
        String token = response.getAuthClientToken();
        if (token == null || !TOKEN.matcher(token).matches()) {
            throw new SecretUnavailableException(grants, "cannot read " + names(grants)
                    + ": the AppRole login answer has no usable client token");
        }
        return response;
    }

    // credentials are read per use so an agent may rotate the file; neither file path nor content is quoted
    private static String readCredential(List<SecretGrant> grants, Path file, String key, String what) {
        String value;
        try {
            value = Files.readString(file).strip();
        } catch (IOException | RuntimeException e) {
            throw new SecretUnavailableException(grants, "cannot read " + names(grants) + ": the file with " + what
                    + " (" + PREFIX + key + ") cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (!TOKEN.matcher(value).matches()) {
            throw new SecretUnavailableException(grants, "cannot read " + names(grants) + ": the file with " + what
                    + " (" + PREFIX + key + ") must hold it on one line, without spaces");
        }
        return value;
    }

    /** The driver, configured from {@link VaultConfig} alone; one per call, as the token may change. */
    private Driver driver(int engineVersion) {
        return new Driver(engineVersion);
    }

    private final class Driver {
        private final io.github.jopenlibs.vault.VaultConfig driverConfig;

        Driver(int engineVersion) {
            driverConfig = new io.github.jopenlibs.vault.VaultConfig()
                    .environmentLoader(NO_ENVIRONMENT)
                    .address(address)
                    .sslConfig(ssl)
                    .openTimeout(timeoutSeconds)
                    .readTimeout(timeoutSeconds)
                    .engineVersion(engineVersion);
            if (engineVersion == 2) {
                driverConfig.prefixPath(kvMount);
            }
        }

        Driver token(String token) {
            driverConfig.token(token);
            return this;
        }

        Vault vault() throws VaultException {
            return Vault.create(driverConfig.build());
        }

        LogicalResponse readFrom(String path) throws VaultException {
            return vault().logical().read(path);
        }
    }

    /** A driver failure in our words: the address, and the kind of failure, never Vault's text. */
    private String describe(VaultException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return "interrupted while waiting for Vault at " + address;
            }
            if (cause instanceof SSLException) {
                return "the TLS handshake with Vault at " + address + " failed (is " + PREFIX + "ca-file right?)";
            }
            if (cause instanceof HttpTimeoutException) {
                return "Vault at " + address + " did not answer within " + timeoutSeconds + "s (" + PREFIX + "timeout)";
            }
            if (cause instanceof IOException) {
                return "Vault at " + address + " is unreachable (" + cause.getClass().getSimpleName() + ")";
            }
        }
        if (failure.getHttpStatusCode() != 0 && failure.getHttpStatusCode() != 200) {
            return statusText(failure.getHttpStatusCode());
        }
        return "Vault at " + address + " gave an unexpected answer";
    }

    private static String statusText(int status) {
        return switch (status) {
            case 400 -> "Vault rejected the request (HTTP 400)";
            case 401, 403 -> "permission denied (HTTP " + status + ")";
            case 404 -> "not found (HTTP 404)";
            case 405 -> "Vault does not support reading this path (HTTP 405)";
            case 429 -> "Vault is rate limiting (HTTP 429)";
            case 503 -> "Vault is sealed or unavailable (HTTP 503)";
            default -> "Vault answered HTTP " + status;
        };
    }

    private static String names(Collection<SecretGrant> grants) {
        return grants.stream().map(SecretGrant::toString).collect(Collectors.joining(", "));
    }

    // a key name from Vault, shown bounded and printable: it is not a value, but it is not ours either
    private static String quoted(String key) {
        String shown = key.length() > 64 ? key.substring(0, 64) + "..." : key;
        return "'" + shown.codePoints()
                .mapToObj(c -> c >= 0x20 && c < 0x7f && c != '\'' ? Character.toString(c) : "?")
                .collect(Collectors.joining()) + "'";
    }

    private static SslConfig sslConfig(Path caFile) {
        SslConfig ssl = new EnvironmentFreeSslConfig().verify(true);
        if (caFile != null) {
            ssl.trustStore(trustStore(caFile));
        }
        try {
            return ssl.build();
        } catch (VaultException e) {
            throw new IllegalArgumentException(PREFIX + "ca-file cannot be used as a trust store");
        }
    }

    private static KeyStore trustStore(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(PREFIX + "ca-file holds no certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(PREFIX + "ca-file cannot be read as a PEM bundle of CA certificates ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** What one open() has read so far. Confined to the calling thread. */
    private static final class Reading {
        final Map<String, String> environment = new LinkedHashMap<>();
        final Map<String, String> valuesByPath = new LinkedHashMap<>();
        final Map<String, SecretGrant> definedBy = new LinkedHashMap<>();
        final List<Lease> leases = new ArrayList<>();

        void define(String variable, String value, SecretGrant grant, String key) {
            SecretGrant earlier = definedBy.putIfAbsent(variable, grant);
            if (earlier != null) {
                throw new SecretUnavailableException(List.of(earlier, grant), "cannot read " + earlier + " and " + grant
                        + ": both define the environment variable " + variable);
            }
            environment.put(variable, value);
            valuesByPath.put(grant.path() + "#" + key, value);
        }
    }

    /** The driver reads VAULT_ADDR, VAULT_TOKEN, ~/.vault-token and VAULT_SSL_* for anything unset; we set everything. */
    private static final class NoEnvironment extends EnvironmentLoader {
        private static final long serialVersionUID = 1L;

        @Override
        public String loadVariable(String name) {
            return null;
        }
    }

    /** The driver's TLS settings, with its environment lookup (VAULT_SSL_CERT, VAULT_SSL_VERIFY) switched off. */
    private static final class EnvironmentFreeSslConfig extends SslConfig {
        private static final long serialVersionUID = 1L;

        EnvironmentFreeSslConfig() {
            environmentLoader(NO_ENVIRONMENT);
        }
    }
}
