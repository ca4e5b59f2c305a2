package dev.portcullis.executor.backend.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.executor.repo.GitAccess;
import dev.portcullis.executor.repo.GitConfig;
import dev.portcullis.executor.repo.GitSmartHttpServer;
import dev.portcullis.executor.task.GitRepository;
import dev.portcullis.executor.task.TaskSpec;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local backend clones a private https repository (a real git smart-HTTP host on loopback)
 * with the executor's read-only token, and the task's command never sees the token or its file.
 */
class LocalCheckoutCredentialTest {
    private static final String USER = "x-access-token";

    @TempDir
    Path dir;

    private final String token = "tok-" + UUID.randomUUID();
    private GitRepository repo;
    private TestPki pki;
    private GitSmartHttpServer host;
    private Path tokenFile;
    private LocalProcessTaskBackend backend;

    @BeforeEach
    void start() throws Exception {
        repo = GitRepository.create(dir);
        Path served = Files.createDirectories(dir.resolve("served"));
        git(dir, "clone", "-q", "--bare", repo.path().toString(), served.resolve("private.git").toString());
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        host = GitSmartHttpServer.start(served, pki, USER, token);
        tokenFile = Files.createDirectories(dir.resolve("secret")).resolve("token");
        Files.writeString(tokenFile, token);
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
        host.close();
    }

    @Test
    void aPrivateHttpsRepositoryIsClonedWithTheTokenWhichTheCommandNeverSees() throws Exception {
        backend = new LocalProcessTaskBackend(dir.resolve("work"), 1,
                GitAccess.of(new GitConfig(USER, tokenFile, pki.caFile()), dir.resolve("git")));
        LocalProcessTaskBackendTest.Recording run = new LocalProcessTaskBackendTest.Recording();

        backend.start(spec("sh", "-c", "ls; env; git config --list --local"), Map.of(), run);

        assertEquals("SUCCEEDED 0 ", run.await());
        assertTrue(run.lines.contains("out: main.tf"), run.lines.toString());
        assertTrue(run.lines.stream().noneMatch(line -> line.contains(token) || line.contains("GIT_ASKPASS")
                || line.contains(tokenFile.toString())), run.lines.toString());
    }

    @Test
    void withoutATokenThePrivateRepositoryIsNotCloned() throws Exception {
        backend = new LocalProcessTaskBackend(dir.resolve("work"), 1,
                GitAccess.of(new GitConfig(USER, null, pki.caFile()), dir.resolve("git")));
        LocalProcessTaskBackendTest.Recording run = new LocalProcessTaskBackendTest.Recording();

        backend.start(spec("ls"), Map.of(), run);

        assertEquals("FAILED -1 the repository could not be cloned", run.await());
    }

    private TaskSpec spec(String... argv) {
        return new TaskSpec(RunId.random(), host.url("private.git"), new CommitSha(repo.commit()),
                RepoFolder.parse("stage/app"), "stage", List.of(argv), Duration.ofSeconds(60));
    }

    private static void git(Path in, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), out);
    }
}
