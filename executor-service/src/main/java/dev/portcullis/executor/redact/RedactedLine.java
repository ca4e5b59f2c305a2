package dev.portcullis.executor.redact;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One log line as it may leave the executor.
 *
 * @param text the line, every detected secret or credential replaced by {@value Redactor#MASK};
 *     an ordinary line is the very string that was fed in
 * @param detections one entry per masked occurrence, naming what it was: {@code secret:PATH} for a
 *     registered secret (any of its forms) or {@code pattern:NAME} for a well-known credential
 *     pattern ({@code pattern:aws-access-key-id}, {@code pattern:aws-secret-access-key},
 *     {@code pattern:vault-token}, {@code pattern:github-token}, {@code pattern:private-key},
 *     {@code pattern:jwt}); never the secret itself. A secret split across two lines is reported in
 *     both.
 */
public record RedactedLine(String text, List<String> detections) {
    public RedactedLine {
        requireNonNull(text, "text is null");
        detections = List.copyOf(detections);
    }

    /** Whether anything was masked in this line. */
    public boolean redacted() {
        return !detections.isEmpty();
    }
}
