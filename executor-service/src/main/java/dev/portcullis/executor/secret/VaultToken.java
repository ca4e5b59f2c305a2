package dev.portcullis.executor.secret;

import static java.util.Objects.requireNonNull;

/** A Vault client token. Deliberately not a record: nothing prints, logs or compares it by value. */
final class VaultToken {
    private final String value;

    VaultToken(String value) {
        this.value = requireNonNull(value, "value is null");
    }

    String value() {
        return value;
    }

    @Override
    public String toString() {
        return "VaultToken[redacted]";
    }
}
