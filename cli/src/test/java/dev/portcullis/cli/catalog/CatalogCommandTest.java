package dev.portcullis.cli.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portcullis catalog validate} and {@code portcullis catalog explain} over the example catalog. */
class CatalogCommandTest {
    private static final Path EXAMPLE = Path.of("../deploy/examples/catalog.yaml").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    private int run(String... args) {
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

        assertEquals(0, status, cli.err());
        assertTrue(cli.out().contains("valid (version "), cli.out());
    }

    @Test
    void validateRefusesABadCatalogPrintingEveryProblemWithItsLocation() throws Exception {
        Path bad = dir.resolve("catalog.yaml");
        Files.writeString(bad, Files.readString(EXAMPLE).replace("approvals: 1", "approvals: x")
                .replace("commands: [apply]", "commands: [aply]"));

        int status = run("catalog", "validate", bad.toString());

        assertEquals(ExitStatus.INVALID_CATALOG.code(), status);
        assertTrue(cli.err().contains(bad + ":10:16: environments.prod.approvals: must be a whole number"), cli.err());
        assertTrue(cli.err().contains("unknown command 'aply'"), cli.err());
        assertTrue(cli.err().contains(bad + ":64:20: repos[0].rules[1].commands[0]: unknown command 'aply'"), cli.err());
        assertTrue(cli.err().contains("refused, 4 problem(s)"), cli.err());
    }

    @Test
    void explainPrintsAnAllowWithItsRuleAndExitsZero() {
        int status = run(explain("--ref", "refs/heads/main", "--folder", "prod/net", "--command", "plan"));

        assertEquals(0, status, cli.err());
        assertTrue(cli.out().startsWith("ALLOW"), cli.out());
        assertTrue(cli.out().contains("infra-live rules[0]"), cli.out());
    }

    @Test
    void explainPrintsEveryDenialReasonAndExitsTwoAsADeniedRunDoes() {
        int status = run(explain("--ref", "refs/heads/feature", "--folder", "prod/net", "--command", "apply",
                "--plan-run", "11111111-2222-4333-8444-555555555555", "--plan-digest", "a".repeat(64),
                "--at", "2026-11-28T10:00:00Z"));

        assertEquals(ExitStatus.DENIED.code(), status, cli.err());
        assertTrue(cli.out().contains("REF_NOT_ALLOWED"), cli.out());
        assertTrue(cli.out().contains("OUTSIDE_CHANGE_WINDOW"), cli.out());
    }

    @Test
    void explainRefusesAMalformedRequestAsAUsageError() {
        int status = run(explain("--ref", "main", "--folder", "../etc", "--command", "plan"));

        assertEquals(ExitStatus.USAGE.code(), status);
        assertTrue(cli.err().contains("invalid --ref"), cli.err());
        assertTrue(cli.err().contains("invalid --folder"), cli.err());
    }

    @Test
    void explainOfAShortCommitNamesTheCommitOption() {
        String[] args = explain("--ref", "refs/heads/main", "--folder", "prod/net", "--command", "plan");
        args[java.util.Arrays.asList(args).indexOf("--commit") + 1] = "0123456";

        int status = run(args);

        assertEquals(ExitStatus.USAGE.code(), status, cli.err());
        assertTrue(cli.err().contains("invalid --commit: "), cli.err());
        assertFalse(cli.err().contains("--commit-sha"), cli.err());
        assertFalse(cli.err().contains("\tat "), cli.err());
    }

    @Test
    void validateWithoutAFileIsAUsageError() {
        int status = run("catalog", "validate");

        assertEquals(ExitStatus.USAGE.code(), status, cli.err());
        assertTrue(cli.err().contains("Missing required parameter: 'FILE'"), cli.err());
        assertTrue(cli.err().contains("Try 'portcullis catalog validate --help'"), cli.err());
        assertFalse(cli.err().contains("\tat "), cli.err());
    }

    @Test
    void validateOfAMissingFileSaysThereIsNoSuchFile() {
        Path missing = dir.resolve("nope.yaml");

        int status = run("catalog", "validate", missing.toString());

        assertEquals(ExitStatus.USAGE.code(), status, cli.err());
        assertTrue(cli.err().contains("portcullis: FILE: " + missing + ": no such file or directory"), cli.err());
        assertFalse(cli.err().contains("\tat "), cli.err());
    }

    @Test
    void explainOfAnInvalidCatalogExitsInvalidCatalog() throws Exception {
        Path bad = dir.resolve("catalog.yaml");
        Files.writeString(bad, Files.readString(EXAMPLE).replace("approvals: 1", "approvals: x"));
        String[] args = explain("--ref", "refs/heads/main", "--folder", "prod/net", "--command", "plan");
        args[3] = bad.toString();

        int status = run(args);

        assertEquals(ExitStatus.INVALID_CATALOG.code(), status, cli.err());
        assertTrue(cli.err().contains("refused, 1 problem(s)"), cli.err());
    }
}
