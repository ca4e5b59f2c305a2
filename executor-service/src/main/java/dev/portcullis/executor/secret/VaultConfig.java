package dev.portcullis.executor.secret;

import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where the executor reads task secrets: a Vault server, how to log in to it, and the KV v2 mount
 * that {@code kv:} grants name. Holds references to credentials (files), never a token or secret
 * id. Every key is documented in docs/configuration.md.
 *
 * @param address Vault's base URL, {@code https://vault.example:8200} ({@code http://} only to a
 *     loopback address, e.g. a Vault agent); unset means no Vault: a task that asks for secrets fails
 * @param tokenFile token auth: a file holding the token, re-read for every task (so an agent may rotate it)
 * @param approleRoleId AppRole auth: the role id (with {@code approleSecretIdFile})
 * @param approleSecretIdFile AppRole auth: a file holding the secret id, read at each login
 * @param kvMount the KV v2 mount that every {@code kv:} grant must lie under ({@code MOUNT/data/...})
 * @param timeout how long connecting to Vault, and then its answer, may each take; rounded up to whole seconds
 * @param caFile a PEM bundle of the CAs that Vault's certificate chains to; unset means the JVM's trust store
 */
@ConfigurationProperties("portcullis.executor.vault")
public record VaultConfig(
        @Nullable String address,
        @Nullable Path tokenFile,
        @Nullable String approleRoleId,
        @Nullable Path approleSecretIdFile,
        @Bindable(defaultValue = "secret") String kvMount,
        @Bindable(defaultValue = "10s") @PositiveDuration(max = "5m") Duration timeout,
        @Nullable Path caFile) {

    private static final String PREFIX = "portcullis.executor.vault.";
    private static final Pattern MOUNT = Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*");
    private static final Pattern ROLE_ID = Pattern.compile("[A-Za-z0-9._-]{1,256}");
    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");

    public VaultConfig {
        if (address == null) {
            String stray = tokenFile != null ? "token-file" : approleRoleId != null ? "approle-role-id"
                    : approleSecretIdFile != null ? "approle-secret-id-file" : caFile != null ? "ca-file" : null;
            if (stray != null) {
                throw new IllegalArgumentException(PREFIX + stray + " is set but " + PREFIX
                        + "address is not: set the address of Vault too, or remove it");
            }
        } else {
            address = parseAddress(address);
            if (tokenFile != null && (approleRoleId != null || approleSecretIdFile != null)) {
                throw new IllegalArgumentException("set either " + PREFIX + "token-file or " + PREFIX + "approle-role-id with "
                        + PREFIX + "approle-secret-id-file, not both");
            }
            if (tokenFile == null && approleRoleId == null && approleSecretIdFile == null) {
                throw new IllegalArgumentException(PREFIX + "token-file, or " + PREFIX + "approle-role-id with " + PREFIX
                        + "approle-secret-id-file, is required when " + PREFIX + "address is set");
            }
            if (tokenFile == null && approleSecretIdFile == null) {
                throw new IllegalArgumentException(PREFIX + "approle-secret-id-file is required with " + PREFIX
                        + "approle-role-id: the file holding the AppRole secret id");
            }
            if (tokenFile == null && approleRoleId == null) {
                throw new IllegalArgumentException(PREFIX + "approle-role-id is required with " + PREFIX
                        + "approle-secret-id-file");
            }
            // the role id is not quoted: Vault asks that it be treated with care
            if (approleRoleId != null && !ROLE_ID.matcher(approleRoleId).matches()) {
                throw new IllegalArgumentException(PREFIX + "approle-role-id must be 1-256 letters, digits, '.', '_' or '-'");
            }
        }
        if (kvMount == null || kvMount.length() > 256 || !MOUNT.matcher(kvMount).matches()) {
            throw new IllegalArgumentException(PREFIX + "kv-mount must be a mount path such as secret or kv/prod,"
                    + " without leading or trailing '/'");
        }
    }

    /** Whether a Vault is configured at all ({@code address} is set). */
    public boolean isConfigured() {
        return address != null;
    }

    /** Prints the role id as set or not: Vault asks that it be treated with care. */
    @Override
    public String toString() {
        return "VaultConfig[address=" + address + ", tokenFile=" + tokenFile + ", approleRoleId="
                + (approleRoleId == null ? "null" : "(set)") + ", approleSecretIdFile=" + approleSecretIdFile + ", kvMount="
                + kvMount + ", timeout=" + timeout + ", caFile=" + caFile + "]";
    }

    // the address becomes every request's base: scheme, host and port only, nothing to smuggle a credential in
    private static String parseAddress(String address) {
        URI uri;
        try {
            uri = new URI(address.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(PREFIX + "address is not a valid URL, e.g. https://vault.example:8200");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException(PREFIX + "address must be an absolute https:// URL with a host,"
                    + " e.g. https://vault.example:8200");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))) {
            throw new IllegalArgumentException(PREFIX + "address must be scheme, host and port only,"
                    + " e.g. https://vault.example:8200");
        }
        if (scheme.equals("http") && !isLoopback(uri.getHost())) {
            // the token travels in every request header: it leaves the machine only over TLS
            throw new IllegalArgumentException(PREFIX + "address must use https:// (http:// is allowed to a loopback"
                    + " address only)");
        }
        return scheme + "://" + uri.getRawAuthority();
    }

    private static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        // a name such as 127.example.com is not loopback: only the literal 127.0.0.0/8 and ::1 are
        return h.equals("localhost") || IPV4_LOOPBACK.matcher(h).matches() || h.equals("[::1]") || h.equals("::1");
    }
}
