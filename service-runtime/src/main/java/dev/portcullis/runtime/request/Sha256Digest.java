package dev.portcullis.runtime.request;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/** A SHA-256 digest: exactly 64 lowercase hexadecimal characters. */
public record Sha256Digest(String value) {
    private static final Pattern HEX_64 = Pattern.compile("[0-9a-f]{64}");

    public Sha256Digest {
        if (!HEX_64.matcher(requireNonNull(value, "value is null")).matches()) {
            throw new IllegalArgumentException("must be a SHA-256 digest: 64 lowercase hexadecimal characters");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
