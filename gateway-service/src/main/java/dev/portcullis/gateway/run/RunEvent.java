package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/** One event of a run, at a dense offset starting at 0: a state change or a (redacted) log line. */
public sealed interface RunEvent {
    long offset();

    Instant time();

    /** The run entered {@code state}. */
    record StateChanged(long offset, Instant time, RunState state, String reason, int exitCode, boolean exited)
            implements RunEvent {
        public StateChanged {
            requireNonNull(time, "time is null");
            requireNonNull(state, "state is null");
            requireNonNull(reason, "reason is null");
        }

        /** The task's exit code, when the change is the task's end. */
        public Optional<Integer> exit() {
            return exited ? Optional.of(exitCode) : Optional.empty();
        }
    }

    /** The run's task wrote a line; already redacted by the executor. */
    record LogLine(long offset, Instant time, Stream stream, String text, boolean redacted) implements RunEvent {
        public LogLine {
            requireNonNull(time, "time is null");
            requireNonNull(stream, "stream is null");
            requireNonNull(text, "text is null");
        }
    }

    /** Where a log line came from. */
    enum Stream { STDOUT, STDERR, SYSTEM }
}
