package dev.portcullis.executor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.rpc.ErrorInfo;
import dev.portcullis.executor.repo.GitSmartHttpServer;
import dev.portcullis.executor.task.GitRepository;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.ResolveRefRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * ResolveRef over real mTLS, configured by {@code portcullis.executor.git.*}, against a private
 * repository on a real git smart-HTTP host that requires the token; every log line of the run is
 * captured to show the token never reaches one.
 */
class ResolveRefCredentialTest {
    @TempDir
    Path dir;

    private final String token = "tok-" + UUID.randomUUID();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Logger root;
    private Logger ours;
    private Level ourLevel;
    private GitRepository repo;
    private GitSmartHttpServer host;
    private Path tokenFile;
    private ServiceFixture fixture;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        // SLF4J initialises under this lock; a logger asked for meanwhile from another thread (tests
        // run in parallel) would be a stand-in, not logback's
        synchronized (LoggerFactory.class) {
            LoggerFactory.getILoggerFactory();
        }
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ours = (Logger) LoggerFactory.getLogger("dev.portcullis");
        ourLevel = ours.getLevel();
        ours.setLevel(Level.TRACE); // every line of ours, and the rest at the configured levels
        logs.start();
        root.addAppender(logs);
        repo = GitRepository.create(dir);
        git(repo.path(), "branch", "-f", "checked");
        Path served = Files.createDirectories(dir.resolve("served"));
        git(dir, "clone", "-q", "--bare", repo.path().toString(), served.resolve("private.git").toString());
        TestPki hostPki = TestPki.create(Files.createDirectories(dir.resolve("host-pki")));
        host = GitSmartHttpServer.start(served, hostPki, "reader", token);
        tokenFile = Files.createDirectories(dir.resolve("secret")).resolve("token");
        fixture = ServiceFixture.start("executor", dir, Map.of(
                "portcullis.executor.work-dir", dir.resolve("work").toString(),
                "portcullis.executor.store.data-dir", dir.resolve("work").toString(),
                "portcullis.executor.git.username", "reader",
                "portcullis.executor.git.token-file", tokenFile.toString(),
                "portcullis.executor.git.ca-file", hostPki.caFile().toString()));
        channel = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.GATEWAY));
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        fixture.close();
        host.close();
        root.detachAppender(logs);
        logs.stop();
        ours.setLevel(ourLevel);
    }

    @Test
    void theConfiguredTokenResolvesAPrivateRepositorysRef() throws Exception {
        Files.writeString(tokenFile, token + "\n");

        String commit = resolve();

        assertEquals(repo.commit(), commit);
        assertTokenInNoLogLine();
    }

    @Test
    void aRefusedTokenIsFailedPreconditionWithItsOwnReasonAndNeverEchoed() throws Exception {
        String wrong = "tok-" + UUID.randomUUID();
        Files.writeString(tokenFile, wrong);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, this::resolve);

        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        ErrorInfo info = errorInfo(e);
        assertEquals("REPOSITORY_UNAUTHENTICATED", info.getReason());
        assertEquals("refused", info.getMetadataMap().get("credential"));
        String everything = StatusProto.fromThrowable(e).toString();
        assertFalse(everything.contains(wrong) || everything.contains(token), everything);
        assertTrue(logLines().stream().noneMatch(line -> line.contains(wrong)), logLines().toString());
    }

    private void assertTokenInNoLogLine() {
        List<String> lines = logLines();
        assertFalse(lines.isEmpty(), "nothing was captured: the check would prove nothing");
        assertTrue(lines.stream().noneMatch(line -> line.contains(token)), lines.toString());
    }

    /** Each captured event: message, key-value fields and any exception's text. */
    private List<String> logLines() {
        synchronized (logs) {
            return logs.list.stream().map(e -> e.getFormattedMessage() + " " + e.getKeyValuePairs()
                    + " " + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage())).toList();
        }
    }

    private String resolve() {
        return ExecutorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .resolveRef(ResolveRefRequest.newBuilder().setRepoUrl(host.url("private.git"))
                        .setRef("refs/heads/checked").build()).getCommitSha();
    }

    private static ErrorInfo errorInfo(StatusRuntimeException e) throws Exception {
        return StatusProto.fromThrowable(e).getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).findFirst()
                .orElseThrow().unpack(ErrorInfo.class);
    }

    private static void git(Path in, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), out);
    }
}
