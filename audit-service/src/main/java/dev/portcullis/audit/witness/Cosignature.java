package dev.portcullis.audit.witness;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A witness's verified cosignature (C2SP tlog-cosignature, {@code cosignature/v1}) of one
 * checkpoint: appending {@code line} to the checkpoint's note gives the note cosigned.
 *
 * @param keyName the cosigner's key name
 * @param timestamp when the witness says it cosigned, whole seconds
 * @param line the note signature line as the witness sent it, {@code — NAME BASE64} without the newline
 */
public record Cosignature(String keyName, Instant timestamp, String line) {
    public Cosignature {
        requireNonNull(keyName, "keyName is null");
        requireNonNull(timestamp, "timestamp is null");
        requireNonNull(line, "line is null");
        if (!line.startsWith("\u2014 " + keyName + " ") || line.contains("\n")) {
            throw new IllegalArgumentException("a cosignature line is one signature line by its key name");
        }
    }
}
