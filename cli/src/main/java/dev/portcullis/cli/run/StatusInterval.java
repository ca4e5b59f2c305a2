package dev.portcullis.cli.run;

import dev.portcullis.cli.command.DurationConverter;
import dev.portcullis.runtime.request.FieldParser;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * How often a command following a run says again that the run is still waiting, for approval or
 * in the queue: a silent terminal for half an hour looks hung. Tests wanting a shorter interval
 * than the minimum construct {@link RunFollower} with it.
 */
final class StatusInterval {
    /** A gateway call per reminder: more often than this would poll it, and flood the terminal. */
    static final Duration MINIMUM = Duration.ofSeconds(1);

    @Option(names = "--status-interval", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "While the run waits for approval or in the queue, print its status again this often"
                    + " (default: ${DEFAULT-VALUE}; 0 never, else at least 1s).")
    Duration interval;

    /** The interval; zero means never. */
    Duration interval() {
        if (interval.isNegative() || (!interval.isZero() && interval.compareTo(MINIMUM) < 0)) {
            FieldParser fields = new FieldParser();
            fields.reject("--status-interval", "must be 0 (never) or at least 1s");
            fields.throwIfInvalid();
        }
        return interval;
    }
}
