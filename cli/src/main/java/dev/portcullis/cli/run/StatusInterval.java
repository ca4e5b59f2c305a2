package dev.portcullis.cli.run;

import dev.portcullis.cli.DurationConverter;
import dev.portcullis.runtime.request.FieldParser;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * How often a command following a run says again that the run is still waiting, for approval or
 * in the queue: a silent terminal for half an hour looks hung. Tests pass a short interval.
 */
final class StatusInterval {
    @Option(names = "--status-interval", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "While the run waits for approval or in the queue, print its status again this often"
                    + " (default: ${DEFAULT-VALUE}; 0 never).")
    Duration interval;

    /** The interval; zero means never. */
    Duration interval() {
        if (interval.isNegative()) {
            FieldParser fields = new FieldParser();
            fields.reject("--status-interval", "must not be negative");
            fields.throwIfInvalid();
        }
        return interval;
    }
}
