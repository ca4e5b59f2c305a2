package dev.portcullis.audit.alert;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * An alert a sink never accepted: the record that delivery gave up, so someone can follow up.
 *
 * @param alertSequence the stored alert's sequence
 * @param sink the sink's name
 * @param attempts how many deliveries were tried
 * @param lastError why the last one failed, in safe words (no URL paths, tokens or bodies)
 * @param recordedAt when delivery gave up
 */
public record DeadLetter(long alertSequence, String sink, int attempts, String lastError, Instant recordedAt) {
    public DeadLetter {
        requireNonNull(sink, "sink is null");
        requireNonNull(lastError, "lastError is null");
        requireNonNull(recordedAt, "recordedAt is null");
        if (alertSequence < 1) {
            throw new IllegalArgumentException("alertSequence must be at least 1");
        }
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative");
        }
    }
}
