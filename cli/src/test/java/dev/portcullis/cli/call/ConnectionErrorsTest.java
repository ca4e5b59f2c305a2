package dev.portcullis.cli.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.CliRun;
import dev.portcullis.runtime.pki.PemFiles;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.runtime.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
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

    /** Beyond what every run is held to ({@link CliRun#assertNoStackTrace()}): no exception's class name either. */
    private static void assertNoExceptionClassName(Result result) {
        String printed = result.stdout() + result.stderr();
        assertFalse(printed.contains("Exception:"), printed);
    }

    /** Nothing of the key file is quoted: neither its PEM type line nor any line of its base64 body. */
    private static void assertKeyNotQuoted(Result result, Path keyFile) throws IOException {
        String printed = result.stdout() + result.stderr();
        assertFalse(printed.contains("PRIVATE KEY"), printed);
        byte[] content = Files.readAllBytes(keyFile);
        String text = new String(content, StandardCharsets.ISO_8859_1);
        List<String> body = text.contains("-----BEGIN")
                ? text.lines().filter(line -> !line.startsWith("-----") && !line.isBlank()).toList()
                : Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(content).lines().toList();
        assertFalse(body.isEmpty(), "the key file has a body to look for");
        for (String line : body) {
            assertFalse(printed.contains(line.strip()), "quotes the key: " + printed);
        }
    }

    @Test
    void aKeyOfAnotherIdentityIsRefusedBeforeConnectingNamingBothFiles() throws Exception {
        TestPki.Credential ci = gateway.credential(TestIdentity.CI);
        Path approverKey = gateway.credential(TestIdentity.APPROVER).keyFile();

        Result list = cli(gatewayAddress(), ci.caFile(), ci.certFile(), approverKey, "runs", "list");

        assertEquals(1, list.exit(), list.stderr());
        assertTrue(list.stderr().contains("the key in PORTCULLIS_KEY_FILE (" + approverKey + ") does not belong to the certificate"
                + " in PORTCULLIS_CERT_FILE (" + ci.certFile() + ")"), list.stderr());
        assertTrue(list.stderr().contains("point PORTCULLIS_KEY_FILE at the key issued with this certificate"), list.stderr());
        assertEquals(1, list.stderr().lines().count(), "once, up front, no retries: " + list.stderr());
        assertEquals("", list.stdout());
        assertNoExceptionClassName(list);
        assertKeyNotQuoted(list, approverKey);
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
        assertNoExceptionClassName(list);
        assertKeyNotQuoted(list, rsaKey);
    }

    @Test
    void anExpiredCertificateIsRefusedBeforeConnectingNamingItsFileAndHowToRenewIt() {
        Instant now = Instant.parse("2024-03-04T10:00:00Z");
        TestPki.Credential expired = gateway.pki().issue("expired-ci", TestIdentity.CI.id(),
                new Validity(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1))));

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> ClientTls.load(expired.caFile(),
                expired.certFile(), expired.keyFile(), Clock.fixed(now, ZoneOffset.UTC)));

        assertTrue(refused.getMessage().startsWith("the certificate in PORTCULLIS_CERT_FILE (" + expired.certFile()
                + ") expired at 2024-03-03T10:00:00Z (it is now 2024-03-04T10:00:00Z)"), refused.getMessage());
        assertTrue(refused.getMessage().contains("restart `./portcullis dev`"), refused.getMessage());
        assertTrue(refused.getMessage().contains("./portcullis pki issue"), refused.getMessage());
    }

    @Test
    void aKeyFileThatDoesNotParseIsNamedWithWhatIsWrongWithIt() throws Exception {
        TestPki.Credential ci = gateway.credential(TestIdentity.CI);
        Path truncated = dir.resolve("truncated.key");
        Files.writeString(truncated, "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----\n");

        Result list = cli(gatewayAddress(), ci.caFile(), ci.certFile(), truncated, "runs", "list");

        assertEquals(1, list.exit(), list.stderr());
        assertTrue(list.stderr().contains("PORTCULLIS_KEY_FILE (" + truncated + ") holds a PKCS#8 PEM key that does not parse"
                + " as an EC, RSA or Ed25519 key"), list.stderr());
        assertFalse(list.stderr().contains("Input stream does not contain valid private key"), list.stderr());
        assertNoExceptionClassName(list);
        assertKeyNotQuoted(list, truncated);
    }

    @Test
    void aDerKeyFileIsNamedAsDerWithTheCommandThatConvertsIt() throws Exception {
        TestPki.Credential ci = gateway.credential(TestIdentity.CI);
        Path der = dir.resolve("ci.der");
        Files.write(der, PemFiles.readDer(ci.keyFile(), "PRIVATE KEY"));

        Result list = cli(gatewayAddress(), ci.caFile(), ci.certFile(), der, "runs", "list");

        assertEquals(1, list.exit(), list.stderr());
        assertTrue(list.stderr().contains("PORTCULLIS_KEY_FILE (" + der + ") is DER (binary); the CLI reads PEM: convert it"
                + " with `openssl pkcs8 -topk8 -nocrypt -inform der -in " + der + " -out " + der + ".pem`"), list.stderr());
        assertFalse(list.stderr().contains("MalformedInputException"), list.stderr());
        assertNoExceptionClassName(list);
        assertKeyNotQuoted(list, der);
    }

    @Test
    void aPemFileWithAByteOrderMarkIsRead() throws Exception {
        TestPki.Credential ci = gateway.credential(TestIdentity.CI);
        Path withBom = dir.resolve("ci-bom.key");
        byte[] key = Files.readAllBytes(ci.keyFile());
        byte[] content = new byte[key.length + 3];
        content[0] = (byte) 0xEF;
        content[1] = (byte) 0xBB;
        content[2] = (byte) 0xBF;
        System.arraycopy(key, 0, content, 3, key.length);
        Files.write(withBom, content);

        ClientTls tls = ClientTls.load(ci.caFile(), ci.certFile(), withBom, Clock.systemUTC());

        assertTrue(tls.keyFileNamed().contains(withBom.toString()));
    }

    @Test
    void aConnectionClosedDuringTheHandshakeIsRetriedNamingTheAddressNotReportedAsARefusal() throws Exception {
        TestPki.Credential ci = gateway.credential(TestIdentity.CI);

        try (HandshakeDropper dropper = HandshakeDropper.start()) {
            Result watch = cli(dropper.address(), ci.caFile(), ci.certFile(), ci.keyFile(),
                    "runs", "watch", A_RUN, "--reconnect-attempts", "1");

            assertEquals(1, watch.exit(), watch.stderr());
            assertTrue(watch.stderr().contains("lost the gateway (TLS handshake with the gateway at " + dropper.address()
                    + " failed: the connection closed during the handshake"), watch.stderr());
            assertTrue(watch.stderr().contains("reconnecting in"), "a dropped handshake is transient: " + watch.stderr());
            assertTrue(watch.stderr().contains("gave up after 1 reconnect attempt(s)"), watch.stderr());
            assertFalse(watch.stderr().contains("refused our certificate"), watch.stderr());
            assertNoExceptionClassName(watch);
        }
    }

    /** A loopback TCP server that reads the start of each client's handshake and closes the connection. */
    private static final class HandshakeDropper implements AutoCloseable {
        private final ServerSocket socket;
        private final Thread acceptor;

        private HandshakeDropper(ServerSocket socket) {
            this.socket = socket;
            this.acceptor = new Thread(this::dropAll, "handshake-dropper");
            this.acceptor.setDaemon(true);
        }

        static HandshakeDropper start() throws IOException {
            HandshakeDropper dropper = new HandshakeDropper(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            dropper.acceptor.start();
            return dropper;
        }

        String address() {
            return InetAddress.getLoopbackAddress().getHostAddress() + ":" + socket.getLocalPort();
        }

        private void dropAll() {
            while (!socket.isClosed()) {
                try (Socket client = socket.accept()) {
                    client.setSoTimeout(10_000);
                    client.getInputStream().read(); // the ClientHello has begun: the handshake is in progress
                } catch (IOException e) {
                    // closed by close(), or a client that left first: either way, nothing to drop
                }
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(10_000);
        }
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
        assertNoExceptionClassName(watch);
    }

    @Test
    void aCertificateTheServerDoesNotTrustIsReportedAsItsRefusalAndNotRetried() {
        TestPki.Credential foreign = stranger.issue("foreign-ci", TestIdentity.CI.id());

        Result watch = cli(gatewayAddress(), gateway.pki().caFile(), foreign.certFile(), foreign.keyFile(),
                "runs", "watch", A_RUN, "--reconnect-attempts", "1");

        assertEquals(1, watch.exit(), watch.stderr());
        assertTrue(watch.stderr().contains("the gateway at " + gatewayAddress() + " refused our certificate: it does not trust"
                + " our certificate's issuer, or the certificate is expired or revoked (TLS alert internal_error"), watch.stderr());
        assertTrue(watch.stderr().contains("ours, in PORTCULLIS_CERT_FILE (" + foreign.certFile() + "), is issued by CN="),
                watch.stderr());
        assertFalse(watch.stderr().contains("reconnecting"), "a refused handshake is not transient: " + watch.stderr());
        assertNoExceptionClassName(watch);
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
        assertNoExceptionClassName(list);
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
        assertNoExceptionClassName(list);
    }

    @Test
    void permissionDeniedNamesTheRolesThatWouldBeAdmittedAndTheRefusedIdentity() {
        Result list = cli(gateway.credential(TestIdentity.NOBODY), "runs", "list");

        assertEquals(1, list.exit(), list.stderr());
        assertTrue(list.stderr().contains("PERMISSION_DENIED (ROLE_REQUIRED)"), list.stderr());
        assertTrue(list.stderr().contains("needs one of the roles: admin, approver, auditor, ci; refused identity: "
                + TestIdentity.NOBODY.id().value()), list.stderr());
        assertEquals("", list.stdout());
        assertNoExceptionClassName(list);
    }
}
