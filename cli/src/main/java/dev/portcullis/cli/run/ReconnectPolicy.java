package dev.portcullis.cli.run;

import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.retry.Backoff;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * How long a command keeps trying a gateway it lost: a bounded number of attempts, waiting 1 s,
 * 2 s, 4 s, … up to 30 s between them (about three minutes for the default ten), which outlasts a
 * gateway restart or a rolling update. Counting starts again after every event received.
 */
final class ReconnectPolicy {
    static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Backoff BACKOFF = Backoff.exponential(INITIAL_BACKOFF, MAX_BACKOFF);

    @Option(names = "--reconnect-attempts", defaultValue = "10", paramLabel = "N",
            description = "Reconnects to a lost gateway before giving up with exit status 1 (default: ${DEFAULT-VALUE}).")
    int attempts;

    int attempts() {
        if (attempts < 0 || attempts > 1000) {
            FieldParser fields = new FieldParser();
            fields.reject("--reconnect-attempts", "must be between 0 and 1000");
            fields.throwIfInvalid();
        }
        return attempts;
    }

    /** The wait before reconnect attempt {@code attempt}, counted from 1. */
    Duration backoff(int attempt) {
        return BACKOFF.delay(attempt);
    }

    /** Waits {@code wait}: the pause between two attempts, not a synchronisation. */
    void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to reconnect");
        }
    }
}
