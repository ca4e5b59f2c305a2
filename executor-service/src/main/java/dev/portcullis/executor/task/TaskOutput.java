package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.redact.LineStream;
import dev.portcullis.executor.redact.RedactedLine;
import dev.portcullis.executor.redact.Redactor;
import java.time.Clock;
import java.util.List;

/**
 * The redaction pipeline of one task's output: every line of its three streams passes through
 * the task's {@link Redactor} before it is appended to its {@link TaskLog}, and each masked line
 * is audited as a leak (without the secret). Until the task has a redactor nothing of its output
 * is kept: a log that cannot be redacted is not kept at all. Thread-safe.
 */
final class TaskOutput {
    private final TaskSpec spec;
    private final TaskLog log;
    private final TaskAuditor auditor;
    private final Clock clock;
    // guarded by this
    private Streams streams; // null until redactWith: no output is kept before
    private boolean finished; // the output ended: a line after that (from a pump the backend stopped waiting for) is dropped
    private long skipStdout; // stdout lines still to drop: the store has them from the replica that followed the task before

    TaskOutput(TaskSpec spec, TaskLog log, TaskAuditor auditor, Clock clock) {
        this.spec = requireNonNull(spec, "spec is null");
        this.log = requireNonNull(log, "log is null");
        this.auditor = requireNonNull(auditor, "auditor is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** One redacting stream per output stream; a line split by a secret across lines stays within its stream. */
    private record Streams(LineStream stdout, LineStream stderr, LineStream system) {
        LineStream of(TaskEvent.Stream stream) {
            return switch (stream) {
                case STDOUT -> stdout;
                case STDERR -> stderr;
                case SYSTEM -> system;
            };
        }
    }

    /** From now on, lines are redacted with {@code redactor} and kept. */
    synchronized void redactWith(Redactor redactor) {
        streams = new Streams(redactor.stream(), redactor.stream(), redactor.stream());
    }

    /** Drops the next {@code lines} stdout lines: a task followed again reports its log from the first line. */
    synchronized void skipStdout(long lines) {
        skipStdout = lines;
    }

    /** Redacts and keeps one line of the task's output; dropped while there is no redactor, and once the output ended. */
    synchronized void line(TaskEvent.Stream stream, String text) {
        if (streams == null || finished) {
            return; // no redactor: nothing of the log is kept; or the task ended
        }
        if (stream == TaskEvent.Stream.STDOUT && skipStdout > 0) {
            skipStdout--; // stored already, by the replica that followed the task before
            return;
        }
        emit(stream, streams.of(stream).accept(text));
    }

    /** Redacts and keeps a line Portcullis writes; dropped while there is no redactor. */
    synchronized void system(String text) {
        if (streams != null && !finished) {
            emit(TaskEvent.Stream.SYSTEM, streams.system().accept(text));
        }
    }

    /** Keeps what the redactor still holds back of each stream (the output ended). */
    synchronized void finish() {
        if (streams != null && !finished) {
            finished = true;
            emit(TaskEvent.Stream.STDOUT, streams.stdout().finish());
            emit(TaskEvent.Stream.STDERR, streams.stderr().finish());
            emit(TaskEvent.Stream.SYSTEM, streams.system().finish());
        }
    }

    /**
     * As {@link #system}, the line {@linkplain TaskLog#defer deferred}: stored with the event that
     * follows it at once (the command it names started, or the task ended).
     */
    synchronized void systemDeferred(String text) {
        if (streams != null && !finished) {
            emit(TaskEvent.Stream.SYSTEM, streams.system().accept(text), true);
        }
    }

    private void emit(TaskEvent.Stream stream, List<RedactedLine> lines) {
        emit(stream, lines, false);
    }

    private void emit(TaskEvent.Stream stream, List<RedactedLine> lines, boolean deferred) {
        for (RedactedLine line : lines) {
            TaskLog.EventFactory event = offset -> new TaskEvent.Line(offset, clock.instant(), stream, line.text(),
                    line.redacted());
            if (deferred && !line.redacted()) {
                log.defer(event);
            } else {
                log.append(event); // a masked line is audited next: it is stored first
            }
            if (line.redacted()) {
                auditor.leakMasked(spec, stream, line.detections());
            }
        }
    }
}
