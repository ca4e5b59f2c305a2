package dev.portcullis.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * The {@code portcullis} command as a person at the terminal meets it, for tests: runs it with
 * the error handling and exit statuses of {@code main}, keeping what it printed on each stream.
 * A run fails its test when gRPC or Netty logs a record with a Throwable, or with a stack trace in
 * its message, through java.util.logging meanwhile: the console handler would print it to the user.
 */
public final class CliRun {
    // held: java.util.logging keeps only weak references to loggers, and a collected one drops its handlers
    private static final List<Logger> TRANSPORT_LOGS = List.of(Logger.getLogger("io.grpc"), Logger.getLogger("io.netty"));
    private static final SimpleFormatter FORMAT = new SimpleFormatter();

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Runs {@code portcullis ARGS}; what it prints adds to what earlier runs printed. */
    public int execute(String... args) {
        List<LogRecord> traced = new CopyOnWriteArrayList<>();
        Handler catcher = new Handler() {
            @Override
            public void publish(LogRecord record) {
                // grpc's name-lookup warning carries its stack trace in a Status parameter, not as the Throwable
                if (record.getThrown() != null || FORMAT.formatMessage(record).contains("\tat ")) {
                    traced.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        TRANSPORT_LOGS.forEach(log -> log.addHandler(catcher));
        int status;
        try {
            CommandLine cli = Portcullis.commandLine(args);
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            status = cli.execute(args);
        } finally {
            TRANSPORT_LOGS.forEach(log -> log.removeHandler(catcher));
        }
        if (!traced.isEmpty()) {
            fail("java.util.logging printed stack traces during `portcullis " + String.join(" ", args) + "`: "
                    + traced.stream().map(r -> r.getLoggerName() + " " + r.getLevel() + " " + FORMAT.formatMessage(r)
                            + (r.getThrown() == null ? "" : ": " + r.getThrown())).collect(Collectors.joining("; ")));
        }
        return status;
    }

    /** Everything printed on standard output so far. */
    public String out() {
        return out.toString();
    }

    /** Everything printed on standard error so far. */
    public String err() {
        return err.toString();
    }

    /** Fails when either stream carries a Java stack trace or Netty's channel pipeline: no user should read those. */
    public void assertNoStackTrace() {
        for (String printed : new String[] {out(), err()}) {
            assertFalse(printed.contains("\tat "), printed);
            assertFalse(printed.contains("Channel Pipeline"), printed);
        }
    }
}
