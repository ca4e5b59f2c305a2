package dev.portcullis.executor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.rpc.ErrorInfo;
import dev.portcullis.executor.task.GitRepository;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.ResolveRefRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ResolveRef over real mTLS against a real local git repository, reached by a file:// URL. */
class ResolveRefTest {
    @TempDir
    Path dir;

    private ServiceFixture fixture;
    private ManagedChannel channel;
    private GitRepository repo;
    private String url;

    @BeforeEach
    void start() throws Exception {
        repo = GitRepository.create(dir);
        url = repo.path().toUri().toString().replaceFirst("^file:/(?!/)", "file:///");
        fixture = ServiceFixture.start("executor", dir, Map.of("portcullis.executor.work-dir", dir.resolve("work").toString(),
                "portcullis.executor.store.data-dir", dir.resolve("work").toString()));
        channel = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.GATEWAY));
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        fixture.close();
    }

    @Test
    void aBranchResolvesToItsCommit() throws Exception {
        String branch = currentBranch();

        String commit = resolve(url, "refs/heads/" + branch);

        assertEquals(repo.commit(), commit);
    }

    @Test
    void aLightweightTagResolvesToItsCommit() throws Exception {
        git("tag", "v1");

        assertEquals(repo.commit(), resolve(url, "refs/tags/v1"));
    }

    @Test
    void anAnnotatedTagResolvesToThePeeledCommitNotTheTagObject() throws Exception {
        git("-c", "user.name=t", "-c", "user.email=t@example.org", "tag", "-a", "-m", "release", "v2");
        String tagObject = git("rev-parse", "refs/tags/v2");

        String commit = resolve(url, "refs/tags/v2");

        assertEquals(repo.commit(), commit);
        assertFalse(tagObject.equals(commit));
    }

    @Test
    void aMissingRefIsNotFound() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> resolve(url, "refs/heads/no-such-branch"));

        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("REF_NOT_FOUND", reason(e));
    }

    @Test
    void aMalformedRefIsInvalid() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> resolve(url, "refs/heads/x..y"));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void aRefOutsideBranchesAndTagsIsInvalid() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> resolve(url, "refs/pull/1/head"));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void anUnreadableRepositoryIsUnavailableWithoutEchoingTheUrlsUserinfo() {
        String secretUrl = "https://user:s3cr3t-token@127.0.0.1:1/nothing.git";

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> resolve(secretUrl, "refs/heads/main"));

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals("REPOSITORY_UNAVAILABLE", reason(e));
        assertFalse(String.valueOf(e.getStatus().getDescription()).contains("s3cr3t"));
        assertFalse(StatusProto.fromThrowable(e).toString().contains("s3cr3t"));
    }

    @Test
    void aCallerOtherThanTheGatewayIsDenied() {
        ManagedChannel other = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.OTHER_SERVICE));
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ExecutorServiceGrpc.newBlockingStub(other)
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .resolveRef(ResolveRefRequest.newBuilder().setRepoUrl(url).setRef("refs/heads/main").build()));

            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        } finally {
            other.shutdownNow();
        }
    }

    private String resolve(String repoUrl, String ref) {
        return ExecutorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .resolveRef(ResolveRefRequest.newBuilder().setRepoUrl(repoUrl).setRef(ref).build()).getCommitSha();
    }

    private static String reason(StatusRuntimeException e) {
        return StatusProto.fromThrowable(e).getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).findFirst()
                .map(d -> {
                    try {
                        return d.unpack(ErrorInfo.class).getReason();
                    } catch (com.google.protobuf.InvalidProtocolBufferException malformed) {
                        return "";
                    }
                }).orElse("");
    }

    private String currentBranch() throws Exception {
        return git("symbolic-ref", "--short", "HEAD");
    }

    private String git(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(repo.path().toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes()).trim();
        assertEquals(0, process.waitFor(), out);
        return out;
    }
}
