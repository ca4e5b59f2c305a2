package dev.portcullis.runtime.request;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/** A full git commit SHA-1: exactly 40 lowercase hexadecimal characters. */
public record CommitSha(String value) {
    private static final Pattern HEX_40 = Pattern.compile("[0-9a-f]{40}");

    public CommitSha {
        if (!HEX_40.matcher(requireNonNull(value, "value is null")).matches()) {
            throw new IllegalArgumentException("must be a full commit SHA: 40 lowercase hexadecimal characters");
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
