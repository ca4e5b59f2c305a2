package dev.portcullis.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.ResolveRefRequest;
import dev.portcullis.v1.ResolveRefResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GrpcRefHeads} over real mTLS to an in-test executor. */
class GrpcRefHeadsTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String URL = "https://user:s3cr3t-token@git.example/acme/infra.git";

    @TempDir
    Path dir;

    private TestNeighbour executor;

    @AfterEach
    void stop() {
        if (executor != null) {
            executor.close();
        }
    }

    /** An executor answering ResolveRef with {@code answer} (a commit) or {@code failure}, keeping the request. */
    private GrpcRefHeads heads(String answer, Status failure, AtomicReference<ResolveRefRequest> asked) {
        executor = TestNeighbour.serve(dir, new ExecutorServiceGrpc.ExecutorServiceImplBase() {
            @Override
            public void resolveRef(ResolveRefRequest request, StreamObserver<ResolveRefResponse> response) {
                asked.set(request);
                if (failure != null) {
                    response.onError(failure.asRuntimeException());
                    return;
                }
                response.onNext(ResolveRefResponse.newBuilder().setCommitSha(answer).build());
                response.onCompleted();
            }
        });
        return new GrpcRefHeads(executor.channel(), Duration.ofSeconds(10));
    }

    @Test
    void theHeadIsTheCommitTheExecutorResolvedForTheRepoAndRef() {
        AtomicReference<ResolveRefRequest> asked = new AtomicReference<>();

        CommitSha head = heads(COMMIT, null, asked).head(URL, new GitRef("refs/heads/main"));

        assertEquals(new CommitSha(COMMIT), head);
        assertEquals(URL, asked.get().getRepoUrl());
        assertEquals("refs/heads/main", asked.get().getRef());
    }

    @Test
    void aRefTheRepositoryLacksIsNotFound() {
        GrpcRefHeads heads = heads("", Status.NOT_FOUND.withDescription("no ref"), new AtomicReference<>());

        DomainException e = assertThrows(DomainException.class, () -> heads.head(URL, new GitRef("refs/heads/gone")));

        assertEquals(DomainException.Kind.NOT_FOUND, e.kind());
        assertEquals("REF_NOT_FOUND", e.reason());
    }

    @Test
    void anUnreachableExecutorIsUnavailableWithAClearReasonAndNoCredentials() {
        GrpcRefHeads heads = heads(COMMIT, null, new AtomicReference<>());
        executor.stopServer();

        DomainException e = assertThrows(DomainException.class, () -> heads.head(URL, new GitRef("refs/heads/main")));

        assertEquals(DomainException.Kind.UNAVAILABLE, e.kind());
        assertEquals("REF_RESOLUTION_UNAVAILABLE", e.reason());
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    }

    @Test
    void anExecutorAnsweringSomethingOtherThanACommitIsAFailureNotAGuess() {
        GrpcRefHeads heads = heads("not-a-commit", null, new AtomicReference<>());

        DomainException e = assertThrows(DomainException.class, () -> heads.head(URL, new GitRef("refs/heads/main")));

        assertEquals("REF_RESOLUTION_FAILED", e.reason());
    }
}
