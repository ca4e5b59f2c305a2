package dev.portcullis.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * The {@code portcullis} command as a person at the terminal meets it, for tests: runs it with
 * the error handling and exit statuses of {@code main}, keeping what it printed on each stream.
 */
public final class CliRun {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Runs {@code portcullis ARGS}; what it prints adds to what earlier runs printed. */
    public int execute(String... args) {
        CommandLine cli = Portcullis.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
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
