package dev.portcullis.executor.secret;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secrets of one task, held in memory only while the task lives.
 *
 * <p>{@link #environment()} gives the task process its variables; {@link #valuesByPath()} gives
 * every value with where it came from, for redaction and for naming a leaked secret without
 * showing it. {@link #close()} drops the values and revokes the dynamic leases taken for the
 * task. Nothing here prints a value: {@link #toString()} names variables and counts leases only.
 *
 * <p>Thread-safe: the state is guarded by {@code this}.
 */
public final class TaskSecrets implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskSecrets.class);
    static final Pattern VARIABLE_NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");

    /** Revokes one lease; throws (with a safe message) when it cannot. */
    @FunctionalInterface
    interface LeaseRevoker {
        void revoke(Lease lease);
    }

    private final LeaseRevoker revoker;
    // guarded by this; emptied on close so the values live no longer than the task
    private Map<String, String> environment;
    private Map<String, String> valuesByPath;
    private List<Lease> leases;
    private boolean closed;

    TaskSecrets(Map<String, String> environment, Map<String, String> valuesByPath, List<Lease> leases,
            LeaseRevoker revoker) {
        this.environment = Map.copyOf(environment);
        this.valuesByPath = Map.copyOf(valuesByPath);
        this.leases = List.copyOf(leases);
        this.revoker = requireNonNull(revoker, "revoker is null");
        for (String name : this.environment.keySet()) {
            if (!VARIABLE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("environment variable names must match [A-Z_][A-Z0-9_]*");
            }
        }
    }

    /** No secrets and nothing to revoke. */
    public static TaskSecrets none() {
        return of(Map.of(), Map.of());
    }

    /**
     * Secrets with no lease to revoke: for a source without dynamic secrets, and for tests.
     *
     * @param environment variable name (matching {@code [A-Z_][A-Z0-9_]*}) to value
     * @param valuesByPath {@code PATH#KEY} to value, as {@link #valuesByPath()} describes
     */
    public static TaskSecrets of(Map<String, String> environment, Map<String, String> valuesByPath) {
        return new TaskSecrets(environment, valuesByPath, List.of(), lease -> {
            throw new IllegalStateException("no lease to revoke");
        });
    }

    /**
     * The task process's environment variables from its secrets, name to value: each key of a KV
     * secret under its own name; {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY} and, when
     * Vault issued one, {@code AWS_SESSION_TOKEN} for an AWS role.
     *
     * @throws IllegalStateException once closed
     */
    public synchronized Map<String, String> environment() {
        requireOpen();
        return environment;
    }

    /**
     * Every secret value keyed by its origin, {@code GRANT_PATH#KEY}: the KV key
     * ({@code secret/data/prod/app#DB_PASSWORD}), or the field of Vault's AWS answer
     * ({@code aws/creds/deploy-prod#access_key}, {@code #secret_key}, {@code #security_token}).
     * The same values as {@link #environment()}; the keys are safe to log, the values never.
     *
     * @throws IllegalStateException once closed
     */
    public synchronized Map<String, String> valuesByPath() {
        requireOpen();
        return valuesByPath;
    }

    /**
     * Drops the values and revokes every dynamic lease, best effort: a lease that cannot be
     * revoked is logged (grant path and reason, nothing secret) and still ends at its TTL.
     * Idempotent; blocks while the revocations run (each bounded by the source's timeout).
     */
    @Override
    public void close() {
        List<Lease> toRevoke;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toRevoke = leases;
            environment = Map.of();
            valuesByPath = Map.of();
            leases = List.of();
        }
        for (Lease lease : toRevoke) {
            try {
                revoker.revoke(lease);
            } catch (RuntimeException failure) { // every lease gets its attempt, whatever the one before did
                log.atWarn()
                        .addKeyValue("secret_path", lease.grant().toString())
                        .addKeyValue("reason", failure instanceof SecretUnavailableException safe
                                ? safe.getMessage() : failure.getClass().getSimpleName())
                        .log("secret.lease_revoke_failed");
            }
        }
    }

    /** Names the variables and counts the leases; never shows a value. */
    @Override
    public synchronized String toString() {
        if (closed) {
            return "TaskSecrets[closed]";
        }
        return "TaskSecrets[variables=" + new TreeSet<>(environment.keySet()) + ", leases=" + leases.size() + "]";
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("task secrets are closed");
        }
    }
}
