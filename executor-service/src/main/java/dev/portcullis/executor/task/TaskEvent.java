package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** One event in a task's stream, at its offset. Log text is already redacted. */
public sealed interface TaskEvent {
    long offset();

    Instant time();

    /** The task changed state. */
    record StateChanged(long offset, Instant time, Task task) implements TaskEvent {
        public StateChanged {
            requireNonNull(time, "time is null");
            requireNonNull(task, "task is null");
        }
    }

    /** A redacted log line. */
    record Line(long offset, Instant time, Stream stream, String text, boolean redacted) implements TaskEvent {
        public Line {
            requireNonNull(time, "time is null");
            requireNonNull(stream, "stream is null");
            requireNonNull(text, "text is null");
        }
    }

    /** Where a line came from. */
    enum Stream { STDOUT, STDERR, SYSTEM }
}
