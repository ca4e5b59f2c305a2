package dev.portcullis.cli.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, part 5: dev mode's DEV ONLY OIDC issuer. The CLI, holding only the dev token dev mode
 * wrote (no client certificate), submits a plan through the real gateway, which verifies the token
 * against the issuer over HTTPS; a token minted for another commit is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DevIssuerEndToEndTest {
    @TempDir
    static Path dir;

    private DevMode dev;
    private Map<String, String> env;
    private String mainCommit;

    @BeforeAll
    void start() throws Exception {
        dev = DevMode.start(DevModeOptions.in(dir.resolve("data")));
        env = DevModeTest.readEnv(dev.envFile());
        mainCommit = DemoRepository.commitOf(dev.demoRepository(), "main").value();
    }

    @AfterAll
    void stop() {
        dev.close();
    }

    /** {@code portcullis ARGS} as a CI job holding a token and no certificate: the gateway's address and CA only. */
    private static int asTokenCaller(CliRun cli, Path token, Map<String, String> env, String... args) {
        String[] all = new String[args.length + 6];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(new String[] {"--gateway-addr", env.get("PORTCULLIS_GATEWAY_ADDR"),
            "--ca-file", env.get("PORTCULLIS_CA_FILE"), "--id-token-file", token.toString()}, 0, all, args.length, 6);
        return cli.execute(all);
    }

    private int asTokenCaller(CliRun cli, Path token, String... args) {
        return asTokenCaller(cli, token, env, args);
    }

    @Test
    void aPlanSubmittedWithTheDevTokenAloneSucceedsAuthenticatedByTheDevIssuer() {
        Path token = DevMode.ciTokenFile(dev.envFile().getParent());

        CliRun plan = new CliRun();
        int status = asTokenCaller(plan, token, "plan", "--repo", "example", "--commit", mainCommit, "--ref", "refs/heads/main",
                "--folder", "stage/app", "--env", "stage");
        Matcher succeeded = Pattern.compile("run ([0-9a-f-]{36}) is SUCCEEDED").matcher(plan.err());
        assertTrue(succeeded.find(), plan.out() + plan.err());
        CliRun show = new CliRun();
        asTokenCaller(show, token, "runs", "show", succeeded.group(1), "--json");

        assertEquals(0, status, plan.out() + plan.err());
        assertTrue(show.out().contains("\"authentication\":\"oidc:dev\""), show.out() + show.err());
        assertTrue(show.out().contains("\"requester\":\"spiffe://portcullis.dev/ci/github/portcullis-dev/example\""), show.out());
    }

    @Test
    void withTheDevCertificateTooTheTokenIsRefusedIdentityMismatch() {
        Path token = DevMode.ciTokenFile(dev.envFile().getParent());

        CliRun plan = new CliRun();
        int status = asTokenCaller(plan, token, "plan", "--repo", "example", "--commit", mainCommit, "--ref", "refs/heads/main",
                "--folder", "stage/app", "--env", "stage", "--no-follow", "--cert-file", env.get("PORTCULLIS_CERT_FILE"),
                "--key-file", env.get("PORTCULLIS_KEY_FILE"));

        assertEquals(1, status, plan.out() + plan.err());
        assertTrue(plan.err().contains("IDENTITY_MISMATCH"), plan.err());
    }

    @Test
    void aTokenMintedForAnotherCommitIsRefusedTokenCommitMismatch() throws Exception {
        Path other = dir.resolve("other-commit.jwt");
        String feature = DemoRepository.commitOf(dev.demoRepository(), "feature/demo").value();
        CliRun mint = new CliRun();
        int minted = mint.execute("dev", "token", "--data-dir", dev.envFile().getParent().toString(),
                "--commit", feature, "--out", other.toString());

        CliRun plan = new CliRun();
        int status = asTokenCaller(plan, other, "plan", "--repo", "example", "--commit", mainCommit, "--ref", "refs/heads/main",
                "--folder", "stage/app", "--env", "stage", "--no-follow");

        assertEquals(0, minted, mint.out() + mint.err());
        assertEquals(1, status, plan.out() + plan.err());
        assertTrue(plan.err().contains("TOKEN_COMMIT_MISMATCH"), plan.out() + plan.err());
        plan.assertNoStackTrace();
    }

    @Test
    void theDevTokenIsWrittenOwnerOnlyAndNeverPrinted() throws Exception {
        Path token = DevMode.ciTokenFile(dev.envFile().getParent());
        CliRun mint = new CliRun();

        int status = mint.execute("dev", "token", "--data-dir", dev.envFile().getParent().toString());

        assertEquals(0, status, mint.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
        String jwt = Files.readString(token).strip();
        assertFalse(mint.out().contains(jwt.substring(jwt.lastIndexOf('.') + 1)), mint.out());
        assertTrue(mint.out().startsWith("DEV ONLY: wrote " + token), mint.out());
    }

    @Test
    void devTokenOnADirectoryNoDevModeRanOnIsAUsageErrorNamingIt() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("never-a-dev-dir"));
        CliRun mint = new CliRun();

        int status = mint.execute("dev", "token", "--data-dir", empty.toString());

        assertEquals(64, status, mint.out() + mint.err());
        assertTrue(mint.err().contains("holds no dev issuer"), mint.err());
        assertFalse(Files.exists(empty.resolve("ci-token.jwt")));
    }
}
