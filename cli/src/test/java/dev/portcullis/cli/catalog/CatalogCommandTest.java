package dev.portcullis.cli.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.ExitStatus;
import dev.portcullis.cli.Portcullis;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code portcullis catalog validate} and {@code portcullis catalog explain} over the example catalog. */
class CatalogCommandTest {
    private static final Path EXAMPLE = Path.of("../deploy/examples/catalog.yaml").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Portcullis.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private String[] explain(String... extra) {
        String[] base = {"catalog", "explain", "--catalog", EXAMPLE.toString(),
            "--caller", "spiffe://example.org/ci/github/acme/infra-live", "--repo", "infra-live",
            "--commit", "0123456789abcdef0123456789abcdef01234567", "--environment", "prod"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void validateAcceptsTheExampleCatalog() {
        int status = run("catalog", "validate", EXAMPLE.toString());

        assertEquals(0, status, err.toString());
        assertTrue(out.toString().contains("valid (version "), out.toString());
    }

    @Test
    void validateRefusesABadCatalogPrintingEveryProblemWithItsLocation() throws Exception {
        Path bad = dir.resolve("catalog.yaml");
        Files.writeString(bad, Files.readString(EXAMPLE).replace("approvals: 1", "approvals: x")
                .replace("commands: [apply]", "commands: [aply]"));

        int status = run("catalog", "validate", bad.toString());

        assertEquals(ExitStatus.INVALID_CATALOG.code(), status);
        assertTrue(err.toString().contains(bad + ":10:16: environments.prod.approvals: must be a whole number"), err.toString());
        assertTrue(err.toString().contains("unknown command 'aply'"), err.toString());
        assertTrue(err.toString().contains(bad + ":38:20: repos[0].rules[1].commands[0]: unknown command 'aply'"), err.toString());
        assertTrue(err.toString().contains("refused, 4 problem(s)"), err.toString());
    }

    @Test
    void explainPrintsAnAllowWithItsRuleAndExitsZero() {
        int status = run(explain("--ref", "refs/heads/main", "--folder", "prod/net", "--command", "plan"));

        assertEquals(0, status, err.toString());
        assertTrue(out.toString().startsWith("ALLOW"), out.toString());
        assertTrue(out.toString().contains("infra-live rules[0]"), out.toString());
    }

    @Test
    void explainPrintsEveryDenialReasonAndExitsTwoAsADeniedRunDoes() {
        int status = run(explain("--ref", "refs/heads/feature", "--folder", "prod/net", "--command", "apply",
                "--plan-run", "11111111-2222-4333-8444-555555555555", "--plan-digest", "a".repeat(64),
                "--at", "2026-11-28T10:00:00Z"));

        assertEquals(ExitStatus.DENIED.code(), status, err.toString());
        assertTrue(out.toString().contains("REF_NOT_ALLOWED"), out.toString());
        assertTrue(out.toString().contains("OUTSIDE_CHANGE_WINDOW"), out.toString());
    }

    @Test
    void explainRefusesAMalformedRequestAsAUsageError() {
        int status = run(explain("--ref", "main", "--folder", "../etc", "--command", "plan"));

        assertEquals(ExitStatus.USAGE.code(), status);
        assertTrue(err.toString().contains("invalid --ref"), err.toString());
        assertTrue(err.toString().contains("invalid --folder"), err.toString());
    }

    @Test
    void explainOfAShortCommitNamesTheCommitOption() {
        String[] args = explain("--ref", "refs/heads/main", "--folder", "prod/net", "--command", "plan");
        args[java.util.Arrays.asList(args).indexOf("--commit") + 1] = "0123456";

        int status = run(args);

        assertEquals(ExitStatus.USAGE.code(), status, err.toString());
        assertTrue(err.toString().contains("invalid --commit: "), err.toString());
        assertFalse(err.toString().contains("--commit-sha"), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
    }

    @Test
    void validateWithoutAFileIsAUsageError() {
        int status = run("catalog", "validate");

        assertEquals(ExitStatus.USAGE.code(), status, err.toString());
        assertTrue(err.toString().contains("Missing required parameter: 'FILE'"), err.toString());
        assertTrue(err.toString().contains("Try 'portcullis catalog validate --help'"), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
    }

    @Test
    void validateOfAMissingFileSaysThereIsNoSuchFile() {
        Path missing = dir.resolve("nope.yaml");

        int status = run("catalog", "validate", missing.toString());

        assertEquals(ExitStatus.USAGE.code(), status, err.toString());
        assertTrue(err.toString().contains("portcullis: FILE: " + missing + ": no such file or directory"), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
    }

    @Test
    void explainOfAnInvalidCatalogExitsInvalidCatalog() throws Exception {
        Path bad = dir.resolve("catalog.yaml");
        Files.writeString(bad, Files.readString(EXAMPLE).replace("approvals: 1", "approvals: x"));
        String[] args = explain("--ref", "refs/heads/main", "--folder", "prod/net", "--command", "plan");
        args[3] = bad.toString();

        int status = run(args);

        assertEquals(ExitStatus.INVALID_CATALOG.code(), status, err.toString());
        assertTrue(err.toString().contains("refused, 1 problem(s)"), err.toString());
    }
}
