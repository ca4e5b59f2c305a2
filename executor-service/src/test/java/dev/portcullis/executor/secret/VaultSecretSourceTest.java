package dev.portcullis.executor.secret;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.runtime.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.executor.secret.FakeVault.Request;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.pki.CertificateRequest;
import dev.portcullis.runtime.pki.Validity;
import dev.portcullis.runtime.testing.TestPki;
import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Vault secret source through the real driver against Vault's HTTP API on loopback. */
class VaultSecretSourceTest {
    static final String TOKEN = "hvs.CAESIJ-test-token-9a8b7c6d5e4f3a2b";
    static final String DB_PASSWORD = "db-pass-3f9a1c77e2b54d08";
    static final String API_TOKEN = "api-tok-51c2e8d9a0b7f6e3";
    static final String ACCESS_KEY = "AKIAFAKEACCESS0KEY01";
    static final String SECRET_KEY = "fakeSecret/Key+0123456789abcdefghijKLMNOP";
    static final String SESSION_TOKEN = "FwoGZXIvYXdzEFAKE//session+token==";
    static final String ROLE_ID = "portcullis-executor";
    static final String SECRET_ID = "approle-secret-id-7d1e6b2c9f0a";
    /** Everything that must never appear in a message, a toString or a log line. */
    static final List<String> SECRETS = List.of(TOKEN, DB_PASSWORD, API_TOKEN, ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, SECRET_ID);

    static final SecretGrant APP = SecretGrant.parse("kv:secret/data/prod/app");
    static final SecretGrant OTHER = SecretGrant.parse("kv:secret/data/prod/other");
    static final SecretGrant DEPLOY = SecretGrant.parse("aws:aws/creds/deploy-prod");

    @TempDir
    Path dir;

    private final FakeVault vault = FakeVault.start().token(TOKEN);

    @AfterEach
    void stop() {
        vault.close();
    }

    @Test
    void everyKeyOfAKvSecretBecomesAnEnvironmentVariable() {
        vault.kv("secret/data/prod/app", Map.of("DB_PASSWORD", DB_PASSWORD, "API_TOKEN", API_TOKEN));

        TaskSecrets secrets = tokenSource().open(List.of(APP));

        assertEquals(Map.of("DB_PASSWORD", DB_PASSWORD, "API_TOKEN", API_TOKEN), secrets.environment());
        assertEquals(Map.of("secret/data/prod/app#DB_PASSWORD", DB_PASSWORD, "secret/data/prod/app#API_TOKEN", API_TOKEN),
                secrets.valuesByPath());
        secrets.close();
    }

    @Test
    void theTokenFromTheTokenFileIsSentWithEveryRead() {
        vault.kv("secret/data/prod/app", Map.of("DB_PASSWORD", DB_PASSWORD));

        tokenSource().open(List.of(APP)).close();

        List<Request> reads = vault.requests("GET", "secret/data/prod/app");
        assertEquals(1, reads.size());
        assertEquals(TOKEN, reads.get(0).token());
    }

    @Test
    void kvGrantsAreReadFromTheConfiguredMount() {
        vault.kv("kv/prod/data/app", Map.of("DB_PASSWORD", DB_PASSWORD));
        VaultConfig config = new VaultConfig(vault.address(), tokenFile(), null, null, "kv/prod", Duration.ofSeconds(5), null);

        TaskSecrets secrets = new VaultSecretSource(config).open(List.of(SecretGrant.parse("kv:kv/prod/data/app")));

        assertEquals(Map.of("DB_PASSWORD", DB_PASSWORD), secrets.environment());
        secrets.close();
    }

    @Test
    void anAwsRoleGivesCredentialsAsAwsVariables() {
        vault.awsRole("aws/creds/deploy-prod", ACCESS_KEY, SECRET_KEY, SESSION_TOKEN);

        TaskSecrets secrets = tokenSource().open(List.of(DEPLOY));

        assertEquals(Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY,
                "AWS_SESSION_TOKEN", SESSION_TOKEN), secrets.environment());
        assertEquals(Map.of("aws/creds/deploy-prod#access_key", ACCESS_KEY, "aws/creds/deploy-prod#secret_key", SECRET_KEY,
                "aws/creds/deploy-prod#security_token", SESSION_TOKEN), secrets.valuesByPath());
        secrets.close();
    }

    @Test
    void anAwsRoleWithoutSessionTokenSetsNoSessionVariable() {
        vault.awsRole("aws/creds/deploy-prod", ACCESS_KEY, SECRET_KEY, null);

        TaskSecrets secrets = tokenSource().open(List.of(DEPLOY));

        assertEquals(Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY), secrets.environment());
        secrets.close();
    }

    @Test
    void closingRevokesTheDynamicLeaseOnce() {
        vault.awsRole("aws/creds/deploy-prod", ACCESS_KEY, SECRET_KEY, SESSION_TOKEN);
        TaskSecrets secrets = tokenSource().open(List.of(DEPLOY));
        assertEquals(List.of(), vault.revokedLeases());

        secrets.close();
        secrets.close();

        assertEquals(1, vault.issuedLeases().size());
        assertEquals(vault.issuedLeases(), vault.revokedLeases());
        List<Request> revocations = vault.requests().stream().filter(r -> r.path().equals("sys/leases/revoke")).toList();
        assertEquals(1, revocations.size());
        assertEquals(TOKEN, revocations.get(0).token());
        JsonObject body = Json.parse(revocations.get(0).body()).asObject();
        assertEquals(vault.issuedLeases().get(0), body.getString("lease_id", ""));
    }

    @Test
    void closedSecretsHoldNoValues() {
        vault.kv("secret/data/prod/app", Map.of("DB_PASSWORD", DB_PASSWORD));
        TaskSecrets secrets = tokenSource().open(List.of(APP));

        secrets.close();

        assertThrows(IllegalStateException.class, secrets::environment);
        assertThrows(IllegalStateException.class, secrets::valuesByPath);
        assertEquals("TaskSecrets[closed]", secrets.toString());
    }

    @Test
    void toStringNamesVariablesButNeverShowsAValue() {
        vault.kv("secret/data/prod/app", Map.of("DB_PASSWORD", DB_PASSWORD, "API_TOKEN", API_TOKEN))
                .awsRole("aws/creds/deploy-prod", ACCESS_KEY, SECRET_KEY, SESSION_TOKEN);
        TaskSecrets secrets = tokenSource().open(List.of(APP, DEPLOY));

        String shown = secrets.toString();

        assertEquals("TaskSecrets[variables=[API_TOKEN, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,"
                + " DB_PASSWORD], leases=1]", shown);
        assertRevealsNoSecret(shown);
        secrets.close();
    }

    @Test
    void aDeniedPathFailsNamingThePathAndPermissionDenied() {
        vault.kv("secret/data/prod/app", Map.of("DB_PASSWORD", DB_PASSWORD)).deny("secret/data/prod/other");

        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> tokenSource().open(List.of(APP, OTHER)));

        assertEquals("cannot read kv:secret/data/prod/other: permission denied (HTTP 403)", e.getMessage());
        assertEquals("SECRETS_UNAVAILABLE", e.reason());
        assertEquals(DomainException.Kind.PRECONDITION, e.kind());
        assertEquals(Map.of("secret_paths", "kv:secret/data/prod/other"), e.metadata());
        assertRevealsNoSecret(e);
    }

    @Test
    void aMissingSecretFailsAsNotFound() {
        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> tokenSource().open(List.of(APP)));

        assertEquals("cannot read kv:secret/data/prod/app: not found (HTTP 404)", e.getMessage());
        assertRevealsNoSecret(e);
    }

    @Test
    void whenOneGrantFailsTheLeasesAlreadyTakenAreRevoked() {
        vault.awsRole("aws/creds/deploy-prod", ACCESS_KEY, SECRET_KEY, SESSION_TOKEN).deny("secret/data/prod/other");

        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> tokenSource().open(List.of(DEPLOY, OTHER)));

        assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
        assertEquals(1, vault.issuedLeases().size());
        assertEquals(vault.issuedLeases(), vault.revokedLeases());
        assertRevealsNoSecret(e);
    }

    @Test
    void aKeyThatIsNoVariableNameFailsNamingPathAndKeyButNotTheValue() {
        vault.kv("secret/data/prod/app", Map.of("db-password", DB_PASSWORD));

        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> tokenSource().open(List.of(APP)));

        assertEquals("cannot read kv:secret/data/prod/app: its key 'db-password' is not a valid environment variable"
                + " name ([A-Z_][A-Z0-9_]*)", e.getMessage());
        assertRevealsNoSecret(e);
    }

    @Test
    void twoGrantsDefiningOneVariableFailNamingBothPaths() {
        vault.kv("secret/data/prod/app", Map.of("DB_PASSWORD", DB_PASSWORD))
                .kv("secret/data/prod/other", Map.of("DB_PASSWORD", API_TOKEN));

        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> tokenSource().open(List.of(APP, OTHER)));

        assertEquals("cannot read kv:secret/data/prod/app and kv:secret/data/prod/other: both define the environment"
                + " variable DB_PASSWORD", e.getMessage());
        assertEquals(Map.of("secret_paths", "kv:secret/data/prod/app,kv:secret/data/prod/other"), e.metadata());
        assertRevealsNoSecret(e);
    }

    @Test
    void aKvSecretDefiningAnAwsVariableCollidesWithTheAwsRole() {
        vault.kv("secret/data/prod/app", Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY))
                .awsRole("aws/creds/deploy-prod", ACCESS_KEY, SECRET_KEY, SESSION_TOKEN);

        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> tokenSource().open(List.of(APP, DEPLOY)));

        assertEquals("cannot read kv:secret/data/prod/app and aws:aws/creds/deploy-prod: both define the environment"
                + " variable AWS_ACCESS_KEY_ID", e.getMessage());
        assertEquals(vault.issuedLeases(), vault.revokedLeases());
        assertRevealsNoSecret(e);
    }

    @Test
    void theSameGrantTwiceIsReadOnce() {
        vault.kv("secret/data/prod/app", Map.of("DB_PASSWORD", DB_PASSWORD));

        TaskSecrets secrets = tokenSource().open(List.of(APP, APP));

        assertEquals(Map.of("DB_PASSWORD", DB_PASSWORD), secrets.environment());
        assertEquals(1, vault.requests("GET", "secret/data/prod/app").size());
        secrets.close();
    }

    @Test
    void aKvGrantOutsideTheMountIsRefusedWithoutAskingVault() {
        SecretGrant elsewhere = SecretGrant.parse("kv:other/data/prod/app");

        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> tokenSource().open(List.of(elsewhere)));

        assertEquals("cannot read kv:other/data/prod/app: a kv grant must name a secret under the KV v2 mount secret"
                + " (portcullis.executor.vault.kv-mount), written secret/data/PATH", e.getMessage());
        assertEquals(List.of(), vault.requests());
    }

    @Test
    void anAwsGrantThatNamesNoRoleIsRefusedWithoutAskingVault() {
        SecretGrant config = SecretGrant.parse("aws:aws/config/root");

        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> tokenSource().open(List.of(config)));

        assertTrue(e.getMessage().startsWith("cannot read aws:aws/config/root: an aws grant must name a role"),
                e.getMessage());
        assertEquals(List.of(), vault.requests());
    }

    @Test
    void noGrantsAsksVaultNothing() {
        TaskSecrets secrets = tokenSource().open(List.of());

        assertEquals(Map.of(), secrets.environment());
        assertEquals(List.of(), vault.requests());
        secrets.close();
    }

    @Test
    void appRoleLogsInThenReadsWithTheIssuedToken() {
        vault.appRole(ROLE_ID, SECRET_ID, 3600).kv("secret/data/prod/app", Map.of("DB_PASSWORD", DB_PASSWORD));

        TaskSecrets secrets = appRoleSource(Clock.systemUTC()).open(List.of(APP));

        assertEquals(Map.of("DB_PASSWORD", DB_PASSWORD), secrets.environment());
        List<Request> logins = vault.requests("POST", "auth/approle/login");
        assertEquals(1, logins.size());
        JsonObject login = Json.parse(logins.get(0).body()).asObject();
        assertEquals(ROLE_ID, login.getString("role_id", ""));
        assertEquals(SECRET_ID, login.getString("secret_id", ""));
        String issued = vault.requests("GET", "secret/data/prod/app").get(0).token();
        assertTrue(issued.startsWith("hvs.approle-"), issued);
        secrets.close();
    }

    @Test
    void theAppRoleTokenServesTasksUntilTwoThirdsOfItsTtlHavePassed() {
        vault.appRole(ROLE_ID, SECRET_ID, 300).kv("secret/data/prod/app", Map.of("DB_PASSWORD", DB_PASSWORD));
        MutableClock clock = MutableClock.at(Instant.parse("2024-03-04T10:00:00Z"));
        VaultSecretSource source = appRoleSource(clock);
        source.open(List.of(APP)).close();
        clock.advance(Duration.ofSeconds(199));
        source.open(List.of(APP)).close();
        assertEquals(1, vault.requests("POST", "auth/approle/login").size());

        clock.advance(Duration.ofSeconds(1));
        source.open(List.of(APP)).close();

        assertEquals(2, vault.requests("POST", "auth/approle/login").size());
        List<String> tokens = vault.requests("GET", "secret/data/prod/app").stream().map(Request::token).toList();
        assertEquals(tokens.get(0), tokens.get(1));
        assertFalse(tokens.get(1).equals(tokens.get(2)), "a new login brings a new token");
    }

    @Test
    void aRefusedAppRoleLoginFailsWithoutShowingTheSecretId() {
        vault.appRole(ROLE_ID, "another-secret-id", 3600).kv("secret/data/prod/app", Map.of("DB_PASSWORD", DB_PASSWORD));

        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> appRoleSource(Clock.systemUTC()).open(List.of(APP)));

        assertEquals("cannot read kv:secret/data/prod/app: the AppRole login (portcullis.executor.vault.approle-role-id)"
                + " failed: Vault rejected the request (HTTP 400)", e.getMessage());
        assertRevealsNoSecret(e);
    }

    @Test
    void aTokenVaultNoLongerAcceptsIsDroppedAndTheNextTaskLogsInAgain() {
        vault.appRole(ROLE_ID, SECRET_ID, 3600).kv("secret/data/prod/app", Map.of("DB_PASSWORD", DB_PASSWORD))
                .deny("secret/data/prod/other");
        VaultSecretSource source = appRoleSource(Clock.systemUTC());
        assertThrows(SecretUnavailableException.class, () -> source.open(List.of(OTHER)));

        source.open(List.of(APP)).close();

        assertEquals(2, vault.requests("POST", "auth/approle/login").size());
    }

    @Test
    void anUnreachableVaultFailsNamingItsAddress() throws IOException {
        String address = "http://127.0.0.1:" + freePort();
        VaultConfig config = new VaultConfig(address, tokenFile(), null, null, "secret", Duration.ofSeconds(2), null);

        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> new VaultSecretSource(config).open(List.of(APP)));

        assertEquals("cannot read kv:secret/data/prod/app: Vault at " + address + " is unreachable (ConnectException)",
                e.getMessage());
        assertRevealsNoSecret(e);
    }

    @Test
    void aSealedVaultFailsNamingTheStatus() {
        vault.fail("secret/data/prod/app", 503);

        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> tokenSource().open(List.of(APP)));

        assertEquals("cannot read kv:secret/data/prod/app: Vault is sealed or unavailable (HTTP 503)", e.getMessage());
    }

    @Test
    void aMissingTokenFileFailsNamingTheSetting() {
        VaultConfig config = new VaultConfig(vault.address(), dir.resolve("absent"), null, null, "secret",
                Duration.ofSeconds(5), null);

        SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                () -> new VaultSecretSource(config).open(List.of(APP)));

        assertEquals("cannot read kv:secret/data/prod/app: the file with the Vault token"
                + " (portcullis.executor.vault.token-file) cannot be read (NoSuchFileException)", e.getMessage());
        assertEquals(List.of(), vault.requests());
    }

    @Test
    void aFailedRevocationIsLoggedWithoutSecretsAndTheOtherLeasesAreStillRevoked() {
        vault.awsRole("aws/creds/deploy-prod", ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
                .awsRole("aws/creds/readonly-prod", "AKIAFAKEREADONLY0001", SECRET_KEY + "-ro", null)
                .failRevocations();
        TaskSecrets first = tokenSource().open(List.of(DEPLOY));
        TaskSecrets second = tokenSource().open(List.of(SecretGrant.parse("aws:aws/creds/readonly-prod")));
        List<String> logged;

        try (LogCapture logs = new LogCapture()) {
            first.close();
            second.close();
            logged = logs.lines();
        }

        assertEquals(2, vault.requests().stream().filter(r -> r.path().equals("sys/leases/revoke")).count());
        assertTrue(logged.contains("WARN secret.lease_revoke_failed secret_path=aws:aws/creds/deploy-prod"
                + " reason=cannot revoke the lease of aws:aws/creds/deploy-prod: Vault answered HTTP 500"), logged::toString);
        logged.forEach(VaultSecretSourceTest::assertRevealsNoSecret);
        vault.issuedLeases().forEach(lease -> logged.forEach(line -> assertFalse(line.contains(lease), line)));
    }

    @Test
    void vaultOverTlsIsTrustedThroughTheCaFileOnly() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        TestPki.Credential server = pki.issue("vault", new CertificateRequest("vault", TestPki.id("service/vault"),
                List.of("localhost"), List.of("127.0.0.1"), Validity.startingNow(Clock.systemUTC(), Duration.ofHours(1))));
        try (FakeVault tls = FakeVault.startTls(serverContext(server))) {
            tls.token(TOKEN).kv("secret/data/prod/app", Map.of("DB_PASSWORD", DB_PASSWORD));
            VaultConfig trusted = new VaultConfig(tls.address(), tokenFile(), null, null, "secret", Duration.ofSeconds(5),
                    pki.caFile());
            VaultConfig untrusted = new VaultConfig(tls.address(), tokenFile(), null, null, "secret", Duration.ofSeconds(5),
                    null);

            TaskSecrets secrets = new VaultSecretSource(trusted).open(List.of(APP));
            SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                    () -> new VaultSecretSource(untrusted).open(List.of(APP)));

            assertEquals(Map.of("DB_PASSWORD", DB_PASSWORD), secrets.environment());
            assertEquals("cannot read kv:secret/data/prod/app: the TLS handshake with Vault at " + tls.address()
                    + " failed (is portcullis.executor.vault.ca-file right?)", e.getMessage());
            secrets.close();
        }
    }

    @Test
    void noMessageToStringOrLogLineOfAnyOutcomeShowsASecret() {
        vault.appRole(ROLE_ID, SECRET_ID, 3600)
                .kv("secret/data/prod/app", Map.of("DB_PASSWORD", DB_PASSWORD, "API_TOKEN", API_TOKEN))
                .kv("secret/data/prod/bad", Map.of("bad key", DB_PASSWORD))
                .kv("secret/data/prod/twin", Map.of("API_TOKEN", API_TOKEN))
                .awsRole("aws/creds/deploy-prod", ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
                .deny("secret/data/prod/other")
                .fail("secret/data/prod/broken", 500);
        List<String> shown = new ArrayList<>();

        try (LogCapture logs = new LogCapture()) {
            for (VaultSecretSource source : List.of(tokenSource(), appRoleSource(Clock.systemUTC()))) {
                TaskSecrets secrets = source.open(List.of(APP, DEPLOY));
                shown.add(secrets.toString());
                secrets.close();
                shown.add(secrets.toString());
                for (String path : List.of("other", "bad", "twin", "broken", "absent")) {
                    SecretGrant failing = SecretGrant.parse("kv:secret/data/prod/" + path);
                    SecretUnavailableException e = assertThrows(SecretUnavailableException.class,
                            () -> source.open(List.of(APP, DEPLOY, failing)));
                    shown.add(e.getMessage());
                    shown.add(e.toString());
                    shown.add(e.metadata().toString());
                }
            }
            shown.addAll(logs.lines());
        }

        assertTrue(shown.size() >= 34, "every outcome was looked at");
        shown.forEach(VaultSecretSourceTest::assertRevealsNoSecret);
    }

    static void assertRevealsNoSecret(SecretUnavailableException e) {
        assertRevealsNoSecret(e.getMessage());
        assertRevealsNoSecret(e.toString());
        assertRevealsNoSecret(e.metadata().toString());
    }

    static void assertRevealsNoSecret(String shown) {
        for (String secret : SECRETS) {
            assertFalse(shown.contains(secret), () -> "a secret is shown in: " + shown.replace(secret, "<SECRET>"));
        }
    }

    private VaultSecretSource tokenSource() {
        return new VaultSecretSource(new VaultConfig(vault.address(), tokenFile(), null, null, "secret",
                Duration.ofSeconds(5), null));
    }

    private VaultSecretSource appRoleSource(Clock clock) {
        Path secretIdFile = write("secret-id", SECRET_ID + "\n");
        return new VaultSecretSource(new VaultConfig(vault.address(), null, ROLE_ID, secretIdFile, "secret",
                Duration.ofSeconds(5), null), clock);
    }

    private Path tokenFile() {
        return write("token", TOKEN + "\n");
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static SSLContext serverContext(TestPki.Credential credential) throws GeneralSecurityException, IOException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("vault", credential.issued().privateKey(), new char[0],
                new Certificate[] {credential.issued().certificate()});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }
}
