package dev.portcullis.executor.redact;

import static java.util.Objects.requireNonNull;

/**
 * A secret value and the path it was read from (a Vault path, a catalog grant). The value leaves
 * this object only through {@link #reveal()}; {@link #toString()} names the path and never the
 * value, so a secret that reaches a log line or an exception message by accident stays hidden.
 *
 * <p>Deliberately not a record (a record prints every component) and without {@code equals}: two
 * secrets are never compared by value.
 */
public final class Secret {
    private final String path;
    private final String value;

    /**
     * @param path where the value came from, e.g. {@code kv:secret/data/prod/infra-live#password};
     *     safe to log
     * @param value the secret itself
     */
    public Secret(String path, String value) {
        this.path = requireNonNull(path, "path is null");
        this.value = requireNonNull(value, "value is null");
    }

    /** Where the value came from; safe to log and to name in errors and audit events. */
    public String path() {
        return path;
    }

    /** The secret value itself: for handing it to the task and for building a {@link Redactor}, nothing else. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "Secret[path=" + path + ", value=redacted]";
    }
}
