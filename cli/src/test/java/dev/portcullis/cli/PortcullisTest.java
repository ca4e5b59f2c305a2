package dev.portcullis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.command.ExitStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every command shares: its exit statuses and how it tells a usage error or a bad file. */
class PortcullisTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.execute(args);
    }

    private void assertNoStackTrace() {
        cli.assertNoStackTrace();
    }

    @Test
    void anUnknownCommandIsAUsageErrorWithASuggestion() {
        int status = run("plna");

        assertEquals(64, status, cli.err());
        assertTrue(cli.err().contains("portcullis: unknown command 'plna'"), cli.err());
        assertTrue(cli.err().contains("Did you mean: portcullis plan"), cli.err());
        assertTrue(cli.err().contains("Try 'portcullis --help'"), cli.err());
        assertNoStackTrace();
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        int status = run("catalog", "validate", "--strict", "catalog.yaml");

        assertEquals(64, status, cli.err());
        assertTrue(cli.err().contains("Unknown option: '--strict'"), cli.err());
        assertTrue(cli.err().contains("Try 'portcullis catalog validate --help'"), cli.err());
        assertNoStackTrace();
    }

    @Test
    void aMalformedOptionValueIsAUsageError() {
        int status = run("health", "--timeout", "soon");

        assertEquals(64, status, cli.err());
        assertTrue(cli.err().contains("not a duration: 'soon'"), cli.err());
        assertNoStackTrace();
    }

    @Test
    void noCommandAtAllIsAUsageError() {
        int status = run();

        assertEquals(64, status, cli.err());
        assertTrue(cli.err().contains("a command is required"), cli.err());
        assertNoStackTrace();
    }

    @Test
    void aMissingFileArgumentIsAUsageErrorSayingThereIsNoSuchFile() throws Exception {
        Path missing = dir.resolve("nope.jsonl");
        Path key = Files.writeString(dir.resolve("checkpoint.pub"), "not read");

        int status = run("audit", "verify", "--offline", missing.toString(), "--key", key.toString());

        assertEquals(64, status, cli.err());
        assertTrue(cli.err().contains("portcullis: --offline: " + missing + ": no such file or directory"), cli.err());
        assertNoStackTrace();
    }

    @Test
    void anOutputFileInAMissingDirectoryNamesTheDirectory() {
        Path file = dir.resolve("nodir").resolve("audit.jsonl");

        int status = run("audit", "export", "--out", file.toString(), "--audit-addr", "localhost:1");

        assertEquals(64, status, cli.err());
        assertTrue(cli.err().contains("portcullis: --out: " + file + ": the directory " + dir.resolve("nodir")
                + " does not exist"), cli.err());
        assertNoStackTrace();
    }

    @Test
    void helpShowsEveryExitStatusInOneTable() {
        int status = run("--help");

        assertEquals(0, status);
        String help = cli.out();
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
        String help = cli.out();
        assertTrue(help.contains("Exit status:"), help);
        assertTrue(help.contains(" 6 "), help);
        assertTrue(help.contains("64 "), help);
        assertFalse(help.contains("The run was cancelled."), help);
    }

    @Test
    void healthHelpSummarisesTheCommandInAWholeSentence() {
        int status = run("--help");

        assertEquals(0, status);
        assertTrue(cli.out().contains("health   Checks that the suite's services are up and ready, over mTLS."),
                cli.out());
    }

    @Test
    void noTwoExitStatusesShareACode() {
        long distinct = java.util.Arrays.stream(ExitStatus.values()).mapToInt(ExitStatus::code).distinct().count();

        assertEquals(ExitStatus.values().length, distinct);
    }

    @Test
    void aGroupsHelpListsWhatItsCommandsCanExitWith() {
        int status = run("runs", "--help");

        assertEquals(0, status, cli.err());
        for (ExitStatus outcome : new ExitStatus[] {ExitStatus.DENIED, ExitStatus.NOT_APPROVED, ExitStatus.FAILED,
            ExitStatus.CANCELLED}) {
            assertTrue(cli.out().contains(outcome.meaning().substring(0, 20)), outcome + " missing from: " + cli.out());
        }
    }

    @Test
    void helpNamingACommandShowsThatCommandsHelp() {
        int status = run("help", "plan");

        assertEquals(0, status, cli.err());
        assertTrue(cli.out().contains("Usage: portcullis plan"), cli.out());
    }

    @Test
    void versionPrintsTheVersion() {
        int status = run("--version");

        assertEquals(0, status, cli.err());
        assertEquals("portcullis 0.1.0", cli.out().strip());
    }

    @Test
    void aCommandBuiltAloneHelpsAsItDoesAmongAllCommands() {
        StringWriter alone = new StringWriter();
        StringWriter amongAll = new StringWriter();

        Portcullis.commandLine("audit", "verify", "--help").getSubcommands().get("audit").getSubcommands().get("verify")
                .usage(new PrintWriter(alone));
        Portcullis.commandLine().getSubcommands().get("audit").getSubcommands().get("verify")
                .usage(new PrintWriter(amongAll));

        assertEquals(amongAll.toString(), alone.toString());
    }

    @Test
    void auditProvesHelpListsTheTamperedStatus() {
        int status = run("audit", "prove", "--help");

        assertEquals(0, status, cli.err());
        assertTrue(cli.out().contains(ExitStatus.TAMPERED.meaning().substring(0, 20)), cli.out());
    }

    @Test
    void auditConsistencysHelpListsTheTamperedStatus() {
        int status = run("audit", "consistency", "--help");

        assertEquals(0, status, cli.err());
        assertTrue(cli.out().contains(ExitStatus.TAMPERED.meaning().substring(0, 20)), cli.out());
    }
}
