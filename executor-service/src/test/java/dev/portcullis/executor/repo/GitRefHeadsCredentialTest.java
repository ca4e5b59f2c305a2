package dev.portcullis.executor.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.executor.task.GitRepository;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.testing.TestPki;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ResolveRef's in-process ref listing (JGit) against a real private git host (git http-backend
 * over HTTPS on loopback, Basic auth): the executor's read-only token reaches it only in the
 * Authorization header, and a missing, wrong or unreadable token is refused with a reason of its
 * own, distinct from an unreachable or untrusted host.
 */
class GitRefHeadsCredentialTest {
    private static final String USER = "x-access-token";
    private static final GitRef BRANCH = new GitRef("refs/heads/checked");

    @TempDir
    Path dir;

    private final String token = "tok-" + UUID.randomUUID();
    private GitRepository repo;
    private TestPki pki;
    private GitSmartHttpServer host;
    private String url;
    private Path tokenFile;

    @BeforeEach
    void start() throws Exception {
        repo = GitRepository.create(dir);
        git(repo.path(), "branch", "-f", "checked");
        Path root = Files.createDirectories(dir.resolve("served"));
        git(dir, "clone", "-q", "--bare", repo.path().toString(), root.resolve("private.git").toString());
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        host = GitSmartHttpServer.start(root, pki, USER, token);
        url = host.url("private.git");
        tokenFile = dir.resolve("secret/token");
        Files.createDirectories(tokenFile.getParent());
    }

    @AfterEach
    void stop() {
        host.close();
    }

    @Test
    void aPrivateHttpsRepositoryResolvesWithTheConfiguredToken() throws Exception {
        Files.writeString(tokenFile, token + "\n");

        CommitSha head = heads(tokenFile).head(url, BRANCH);

        assertEquals(repo.commit(), head.value());
        assertTrue(host.authorizationsSeen().contains(basic(token)), host.authorizationsSeen().toString());
    }

    @Test
    void withoutATokenThePrivateRepositoryIsUnauthenticatedNotUnavailable() {
        GitRefHeads anonymous = new GitRefHeads(Duration.ofSeconds(30),
                GitAccess.of(new GitConfig(USER, null, pki.caFile()), dir.resolve("git")));

        DomainException e = assertThrows(DomainException.class, () -> anonymous.head(url, BRANCH));

        assertEquals(DomainException.Kind.PRECONDITION, e.kind());
        assertEquals("REPOSITORY_UNAUTHENTICATED", e.reason());
        assertEquals(Map.of("credential", "none"), e.metadata());
        assertTrue(e.getMessage().contains("portcullis.executor.git.token-file"), e.getMessage());
    }

    @Test
    void aWrongTokenIsRefusedNamingTheRefusalWithoutTheToken() throws Exception {
        String wrong = "tok-" + UUID.randomUUID();
        Files.writeString(tokenFile, wrong);

        DomainException e = assertThrows(DomainException.class, () -> heads(tokenFile).head(url, BRANCH));

        assertEquals("REPOSITORY_UNAUTHENTICATED", e.reason());
        assertEquals(Map.of("credential", "refused"), e.metadata());
        assertTrue(host.authorizationsSeen().contains(basic(wrong)), "the wrong token was not even sent");
        assertFalse(e.getMessage().contains(wrong) || e.getMessage().contains(url), e.getMessage());
    }

    @Test
    void aMissingTokenFileIsReportedWithoutAskingTheRepository() {
        DomainException e = assertThrows(DomainException.class, () -> heads(tokenFile).head(url, BRANCH));

        assertEquals("REPOSITORY_UNAUTHENTICATED", e.reason());
        assertEquals(Map.of("credential", "unreadable"), e.metadata());
        assertEquals(List.of(), host.authorizationsSeen());
    }

    @Test
    void aTokenFileOfMoreThanOneLineIsUnreadableNotSentInPart() throws Exception {
        Files.writeString(tokenFile, token + "\nsecond line\n");

        DomainException e = assertThrows(DomainException.class, () -> heads(tokenFile).head(url, BRANCH));

        assertEquals(Map.of("credential", "unreadable"), e.metadata());
        assertEquals(List.of(), host.authorizationsSeen());
    }

    @Test
    void aRotatedTokenIsUsedWithoutARestart() throws Exception {
        GitRefHeads heads = heads(tokenFile);
        Files.writeString(tokenFile, "tok-expired");
        assertThrows(DomainException.class, () -> heads.head(url, BRANCH));

        Files.writeString(tokenFile, token);
        CommitSha head = heads.head(url, BRANCH);

        assertEquals(repo.commit(), head.value());
    }

    @Test
    void theTokenReachesTheHostOnlyInTheAuthorizationHeaderAndNoGitProcessRuns() throws Exception {
        Files.writeString(tokenFile, token);

        heads(tokenFile).head(url, BRANCH);

        String encoded = Base64.getEncoder().encodeToString((USER + ":" + token).getBytes());
        assertTrue(host.authorizationsSeen().contains(basic(token)), host.authorizationsSeen().toString());
        List<String> requests = host.requestsSeen();
        assertFalse(requests.isEmpty(), "the host saw no request: the check would prove nothing");
        assertTrue(requests.stream().noneMatch(r -> r.contains(token) || r.contains(encoded)), requests.toString());
        // ResolveRef needs no git binary (the executor's image has none): no ls-remote ran, and no
        // process the test JVM started (the host's own http-backend included) holds the token
        List<String> seen = host.processesSeen();
        assertTrue(seen.stream().noneMatch(p -> p.contains("ls-remote")), seen.toString());
        assertTrue(seen.stream().noneMatch(p -> p.contains(token) || p.contains(encoded)), seen.toString());
    }

    @Test
    void aHostWhoseCertificateChainsToNoTrustedCaIsUnavailableAndNeverGetsTheToken() throws Exception {
        Files.writeString(tokenFile, token);
        GitRefHeads withoutTheCa = new GitRefHeads(Duration.ofSeconds(30),
                GitAccess.of(new GitConfig(USER, tokenFile, null), dir.resolve("git")));

        DomainException e = assertThrows(DomainException.class, () -> withoutTheCa.head(url, BRANCH));

        assertEquals("REPOSITORY_UNAVAILABLE", e.reason());
        assertEquals(List.of(), host.authorizationsSeen());
    }

    @Test
    void aHostThatNeverAnswersIsUnavailableOnceTheTimeoutIsOver() throws Exception {
        Files.writeString(tokenFile, token);
        GitRefHeads impatient = new GitRefHeads(Duration.ofSeconds(1),
                GitAccess.of(new GitConfig(USER, tokenFile, pki.caFile()), dir.resolve("git")));
        // the kernel completes TCP handshakes into the backlog; nothing ever reads or answers them
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String silentUrl = "https://127.0.0.1:" + silent.getLocalPort() + "/private.git";

            DomainException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> assertThrows(DomainException.class, () -> impatient.head(silentUrl, BRANCH)));

            assertEquals("REPOSITORY_UNAVAILABLE", e.reason());
        }
    }

    @Test
    void anUnreachableHttpsHostWithATokenIsStillUnavailableNotUnauthenticated() throws Exception {
        Files.writeString(tokenFile, token);

        DomainException e = assertThrows(DomainException.class,
                () -> heads(tokenFile).head("https://127.0.0.1:1/private.git", BRANCH));

        assertEquals("REPOSITORY_UNAVAILABLE", e.reason());
    }

    @Test
    void theCredentialIsOfferedToHttpsRemotesOnly() {
        GitAccess access = GitAccess.of(new GitConfig(USER, tokenFile, null), dir.resolve("git"));

        Map<String, String> local = access.environment("file:///srv/repo.git");
        Map<String, String> remote = access.environment("https://git.example/repo.git");

        assertEquals(Map.of(), local);
        assertEquals(tokenFile.toString(), remote.get("PORTCULLIS_GIT_TOKEN_FILE"));
        assertEquals(USER, remote.get("PORTCULLIS_GIT_USERNAME"));
        assertTrue(Files.isExecutable(Path.of(remote.get("GIT_ASKPASS"))));
    }

    @Test
    void aTokenIsOneLineOfVisibleAsciiWithAnOptionalLineEnd() {
        assertTrue(GitAccess.oneVisibleLine("abc".getBytes()));
        assertTrue(GitAccess.oneVisibleLine("abc\n".getBytes()));
        assertTrue(GitAccess.oneVisibleLine("abc\r\n".getBytes()));
        assertFalse(GitAccess.oneVisibleLine("".getBytes()));
        assertFalse(GitAccess.oneVisibleLine("\n".getBytes()));
        assertFalse(GitAccess.oneVisibleLine("a b".getBytes()));
        assertFalse(GitAccess.oneVisibleLine("abc\n\n".getBytes()));
    }

    private GitRefHeads heads(Path token) {
        return new GitRefHeads(Duration.ofSeconds(30),
                GitAccess.of(new GitConfig(USER, token, pki.caFile()), dir.resolve("git")));
    }

    private static String basic(String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((USER + ":" + secret).getBytes());
    }

    private static void git(Path in, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), out);
    }
}
