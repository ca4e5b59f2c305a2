package dev.portcullis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.runtime.testing.TestPki;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the CLI prints when its TLS files are wrong, a handshake is refused on either side, the
 * service is unreachable, or the caller lacks a role: the cause and the next step, against a real
 * gateway over mTLS on loopback, never a stack trace or Netty's channel pipeline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectionErrorsTest {
    private static final String A_RUN = "0b7e3c1a-2f4d-4e5a-9b6c-7d8e9f0a1b2c";

    @TempDir
    static Path dir;

    private ServiceFixture gateway;
    /** A CA of another suite: the gateway does not trust what it issues, nor do we trust what it issues. */
    private TestPki stranger;

    @BeforeAll
    void start() {
        gateway = ServiceFixture.start("gateway", dir.resolve("suite"), Map.of(
                "portcullis.gateway.policy-address", "localhost:1",
                "portcullis.gateway.executor-address", "localhost:1",
                "portcullis.gateway.audit-address", "localhost:1",
                "portcullis.gateway.store.data-dir", dir.resolve("gateway").toString()));
        stranger = TestPki.create(dir.resolve("stranger"));
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    record Result(int exit, String stdout, String stderr) {}

    private Result cli(String address, Path caFile, Path certFile, Path keyFile, String... args) {
        List<String> line = new ArrayList<>(List.of(args));
        line.addAll(List.of("--gateway-addr", address, "--ca-file", caFile.toString(), "--cert-file", certFile.toString(),
                "--key-file", keyFile.toString()));
        CliRun run = new CliRun();
        int exit = run.execute(line.toArray(String[]::new));
        run.assertNoStackTrace();
        return new Result(exit, run.out(), run.err());
    }

    private Result cli(TestPki.Credential credential, String... args) {
        return cli(gatewayAddress(), credential.caFile(), credential.certFile(), credential.keyFile(), args);
    }

    private String gatewayAddress() {
        return "localhost:" + gateway.port();
    }

    /** Beyond what every run is held to (no stack trace, no pipeline): no exception's class name either. */
    private static void assertNoStackTraceNorPipeline(Result result) {
        String printed = result.stdout() + result.stderr();
        assertFalse(printed.contains("Exception:"), printed);
    }

    @Test
    void aKeyOfAnotherIdentityIsRefusedBeforeConnectingNamingBothFiles() {
        TestPki.Credential ci = gateway.credential(TestIdentity.CI);
        Path approverKey = gateway.credential(TestIdentity.APPROVER).keyFile();

        Result list = cli(gatewayAddress(), ci.caFile(), ci.certFile(), approverKey, "runs", "list");

        assertEquals(1, list.exit(), list.stderr());
        assertTrue(list.stderr().contains("the key in PORTCULLIS_KEY_FILE (" + approverKey + ") does not belong to the certificate"
                + " in PORTCULLIS_CERT_FILE (" + ci.certFile() + ")"), list.stderr());
        assertTrue(list.stderr().contains("point PORTCULLIS_KEY_FILE at the key issued with this certificate"), list.stderr());
        assertEquals(1, list.stderr().lines().count(), "once, up front, no retries: " + list.stderr());
        assertEquals("", list.stdout());
        assertNoStackTraceNorPipeline(list);
    }

    @Test
    void anRsaKeyForAnEcCertificateIsRefusedAsNotItsKey() throws Exception {
        TestPki.Credential ci = gateway.credential(TestIdentity.CI);
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Path rsaKey = dir.resolve("rsa.key");
        PemFiles.writePrivateKey(rsaKey, rsa.generateKeyPair().getPrivate());

        Result list = cli(gatewayAddress(), ci.caFile(), ci.certFile(), rsaKey, "runs", "list");

        assertEquals(1, list.exit(), list.stderr());
        assertTrue(list.stderr().contains("the key in PORTCULLIS_KEY_FILE (" + rsaKey + ") does not belong to the certificate"),
                list.stderr());
        assertNoStackTraceNorPipeline(list);
    }

    @Test
    void anExpiredCertificateIsRefusedBeforeConnectingNamingItsFileAndHowToRenewIt() {
        Instant now = Instant.now();
        TestPki.Credential expired = gateway.pki().issue("expired-ci", TestIdentity.CI.id(),
                new Validity(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1))));

        Result list = cli(expired, "runs", "list");

        assertEquals(1, list.exit(), list.stderr());
        assertTrue(list.stderr().contains("the certificate in PORTCULLIS_CERT_FILE (" + expired.certFile() + ") expired at "),
                list.stderr());
        assertTrue(list.stderr().contains("restart `./portcullis dev`"), list.stderr());
        assertTrue(list.stderr().contains("./portcullis pki issue"), list.stderr());
        assertNoStackTraceNorPipeline(list);
    }

    @Test
    void aKeyFileThatDoesNotParseIsNamedWithWhatIsWrongWithIt() throws Exception {
        TestPki.Credential ci = gateway.credential(TestIdentity.CI);
        Path truncated = dir.resolve("truncated.key");
        Files.writeString(truncated, "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----\n");

        Result list = cli(gatewayAddress(), ci.caFile(), ci.certFile(), truncated, "runs", "list");

        assertEquals(1, list.exit(), list.stderr());
        assertTrue(list.stderr().contains("PORTCULLIS_KEY_FILE (" + truncated + ") has a PRIVATE KEY block that is not a PKCS#8"
                + " EC, RSA or Ed25519 key"), list.stderr());
        assertFalse(list.stderr().contains("Input stream does not contain valid private key"), list.stderr());
        assertNoStackTraceNorPipeline(list);
    }

    @Test
    void aServerCertificateOurCaFileDoesNotTrustIsReportedAsOurRefusalAndNotRetried() {
        TestPki.Credential ci = gateway.credential(TestIdentity.CI);

        Result watch = cli(gatewayAddress(), stranger.caFile(), ci.certFile(), ci.keyFile(),
                "runs", "watch", A_RUN, "--reconnect-attempts", "1");

        assertEquals(1, watch.exit(), watch.stderr());
        assertTrue(watch.stderr().contains("we refused the certificate of the gateway at " + gatewayAddress()
                + ": its certificate is not issued by a CA in PORTCULLIS_CA_FILE (" + stranger.caFile() + ")"), watch.stderr());
        assertTrue(watch.stderr().contains("Point PORTCULLIS_CA_FILE at the CA bundle of the suite you call"), watch.stderr());
        assertFalse(watch.stderr().contains("reconnecting"), "a refused handshake is not transient: " + watch.stderr());
        assertNoStackTraceNorPipeline(watch);
    }

    @Test
    void aCertificateTheServerDoesNotTrustIsReportedAsItsRefusalAndNotRetried() {
        TestPki.Credential foreign = stranger.issue("foreign-ci", TestIdentity.CI.id());

        Result watch = cli(gatewayAddress(), gateway.pki().caFile(), foreign.certFile(), foreign.keyFile(),
                "runs", "watch", A_RUN, "--reconnect-attempts", "1");

        assertEquals(1, watch.exit(), watch.stderr());
        assertTrue(watch.stderr().contains("the gateway at " + gatewayAddress() + " refused our certificate: it does not trust"
                + " our certificate's issuer, or the certificate is expired or revoked"), watch.stderr());
        assertTrue(watch.stderr().contains("ours, in PORTCULLIS_CERT_FILE (" + foreign.certFile() + "), is issued by CN="),
                watch.stderr());
        assertFalse(watch.stderr().contains("reconnecting"), "a refused handshake is not transient: " + watch.stderr());
        assertNoStackTraceNorPipeline(watch);
    }

    @Test
    void anUnreachableLoopbackAddressIsNamedWithDevModeSuggestedAndNoTableHeader() throws Exception {
        int nothingListens;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nothingListens = closed.getLocalPort();
        }
        TestPki.Credential ci = gateway.credential(TestIdentity.CI);

        Result list = cli("localhost:" + nothingListens, ci.caFile(), ci.certFile(), ci.keyFile(), "runs", "list");

        assertEquals(1, list.exit(), list.stderr());
        assertTrue(list.stderr().contains("cannot reach the gateway at localhost:" + nothingListens
                + " (PORTCULLIS_GATEWAY_ADDR): connection refused"), list.stderr());
        assertTrue(list.stderr().contains("Start it with `./portcullis dev`"), list.stderr());
        assertTrue(list.stderr().contains(". .portcullis/dev.env"), list.stderr());
        assertEquals("", list.stdout(), "no table header before the call succeeded");
        assertNoStackTraceNorPipeline(list);
    }

    @Test
    void alertsWatchOnAnUnreachableAuditServicePrintsNothingOnStdout() throws Exception {
        int nothingListens;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nothingListens = closed.getLocalPort();
        }
        TestPki.Credential auditor = gateway.credential(TestIdentity.AUDITOR);
        CliRun run = new CliRun();

        int exit = run.execute("alerts", "watch", "--audit-addr", "localhost:" + nothingListens,
                "--ca-file", auditor.caFile().toString(), "--cert-file", auditor.certFile().toString(),
                "--key-file", auditor.keyFile().toString());

        assertEquals(1, exit, run.err());
        assertTrue(run.err().contains("cannot reach the audit at localhost:" + nothingListens + " (PORTCULLIS_AUDIT_ADDR)"),
                run.err());
        assertEquals("", run.out(), "no table header before the call succeeded");
        run.assertNoStackTrace();
    }

    @Test
    void anUnknownHostIsNamedWithTheVariableToCheck() {
        TestPki.Credential ci = gateway.credential(TestIdentity.CI);

        Result list = cli("gateway.invalid:4711", ci.caFile(), ci.certFile(), ci.keyFile(), "runs", "list");

        assertEquals(1, list.exit(), list.stderr());
        assertTrue(list.stderr().contains("cannot reach the gateway at gateway.invalid:4711 (PORTCULLIS_GATEWAY_ADDR): unknown host."
                + " Check PORTCULLIS_GATEWAY_ADDR"), list.stderr());
        assertNoStackTraceNorPipeline(list);
    }

    @Test
    void permissionDeniedNamesTheRolesThatWouldBeAdmittedAndTheRefusedIdentity() {
        Result list = cli(gateway.credential(TestIdentity.NOBODY), "runs", "list");

        assertEquals(1, list.exit(), list.stderr());
        assertTrue(list.stderr().contains("PERMISSION_DENIED (ROLE_REQUIRED)"), list.stderr());
        assertTrue(list.stderr().contains("needs one of the roles: admin, approver, auditor, ci; refused identity: "
                + TestIdentity.NOBODY.id().value()), list.stderr());
        assertEquals("", list.stdout());
        assertNoStackTraceNorPipeline(list);
    }
}
