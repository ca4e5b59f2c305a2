package dev.portcullis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What every command shares: its exit statuses and how it tells a usage error or a bad file. */
class PortcullisTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Portcullis.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private void assertNoStackTrace() {
        assertFalse(out.toString().contains("\tat "), out.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
    }

    @Test
    void anUnknownCommandIsAUsageErrorWithASuggestion() {
        int status = run("plna");

        assertEquals(64, status, err.toString());
        assertTrue(err.toString().contains("portcullis: unknown command 'plna'"), err.toString());
        assertTrue(err.toString().contains("Did you mean: portcullis plan"), err.toString());
        assertTrue(err.toString().contains("Try 'portcullis --help'"), err.toString());
        assertNoStackTrace();
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        int status = run("catalog", "validate", "--strict", "catalog.yaml");

        assertEquals(64, status, err.toString());
        assertTrue(err.toString().contains("Unknown option: '--strict'"), err.toString());
        assertTrue(err.toString().contains("Try 'portcullis catalog validate --help'"), err.toString());
        assertNoStackTrace();
    }

    @Test
    void aMalformedOptionValueIsAUsageError() {
        int status = run("health", "--timeout", "soon");

        assertEquals(64, status, err.toString());
        assertTrue(err.toString().contains("not a duration: 'soon'"), err.toString());
        assertNoStackTrace();
    }

    @Test
    void noCommandAtAllIsAUsageError() {
        int status = run();

        assertEquals(64, status, err.toString());
        assertTrue(err.toString().contains("a command is required"), err.toString());
        assertNoStackTrace();
    }

    @Test
    void aMissingFileArgumentIsAUsageErrorSayingThereIsNoSuchFile() throws Exception {
        Path missing = dir.resolve("nope.jsonl");
        Path key = Files.writeString(dir.resolve("checkpoint.pub"), "not read");

        int status = run("audit", "verify", "--offline", missing.toString(), "--key", key.toString());

        assertEquals(64, status, err.toString());
        assertTrue(err.toString().contains("portcullis: --offline: " + missing + ": no such file or directory"), err.toString());
        assertNoStackTrace();
    }

    @Test
    void anOutputFileInAMissingDirectoryNamesTheDirectory() {
        Path file = dir.resolve("nodir").resolve("audit.jsonl");

        int status = run("audit", "export", "--out", file.toString(), "--audit-addr", "localhost:1");

        assertEquals(64, status, err.toString());
        assertTrue(err.toString().contains("portcullis: --out: " + file + ": the directory " + dir.resolve("nodir")
                + " does not exist"), err.toString());
        assertNoStackTrace();
    }

    @Test
    void helpShowsEveryExitStatusInOneTable() {
        int status = run("--help");

        assertEquals(0, status);
        String help = out.toString();
        assertTrue(help.contains("Exit status:"), help);
        for (ExitStatus exit : ExitStatus.values()) {
            assertTrue(help.matches("(?s).*\\n\\s+" + exit.code() + "\\s+" + java.util.regex.Pattern.quote(
                    exit.meaning().substring(0, 20)) + ".*"), exit + " in " + help);
        }
    }

    @Test
    void aSubcommandsHelpShowsTheStatusesItCanReturn() {
        int status = run("audit", "verify", "--help");

        assertEquals(0, status);
        String help = out.toString();
        assertTrue(help.contains("Exit status:"), help);
        assertTrue(help.contains(" 6 "), help);
        assertTrue(help.contains("64 "), help);
        assertFalse(help.contains("The run was cancelled."), help);
    }

    @Test
    void healthHelpSummarisesTheCommandInAWholeSentence() {
        int status = run("--help");

        assertEquals(0, status);
        assertTrue(out.toString().contains("health   Checks that the suite's services are up and ready, over mTLS."),
                out.toString());
    }

    @Test
    void noTwoExitStatusesShareACode() {
        long distinct = java.util.Arrays.stream(ExitStatus.values()).mapToInt(ExitStatus::code).distinct().count();

        assertEquals(ExitStatus.values().length, distinct);
    }
}
