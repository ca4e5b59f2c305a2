package dev.portcullis.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.ResolveRefRequest;
import dev.portcullis.v1.ResolveRefResponse;
import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
        return headsFailing(answer, failure == null ? null : failure.asRuntimeException(), asked);
    }

    /** As above, with the failure as a status exception (which may carry details). */
    private GrpcRefHeads headsFailing(String answer, StatusRuntimeException failure, AtomicReference<ResolveRefRequest> asked) {
        executor = TestNeighbour.serve(dir, new ExecutorServiceGrpc.ExecutorServiceImplBase() {
            @Override
            public void resolveRef(ResolveRefRequest request, StreamObserver<ResolveRefResponse> response) {
                asked.set(request);
                if (failure != null) {
                    response.onError(failure);
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

    @Test
    void aRepositoryRefusingTheExecutorsTokenIsUnauthenticatedNamingWhatToCheck() {
        GrpcRefHeads heads = headsFailing("", unauthenticated("refused"), new AtomicReference<>());

        DomainException e = assertThrows(DomainException.class, () -> heads.head(URL, new GitRef("refs/heads/main")));

        assertEquals(DomainException.Kind.PRECONDITION, e.kind());
        assertEquals("REF_RESOLUTION_UNAUTHENTICATED", e.reason());
        assertEquals(Map.of("credential", "refused"), e.metadata());
        assertTrue(e.getMessage().contains("refused the executor's git token"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    }

    @Test
    void aRepositoryAskingForACredentialTheExecutorLacksNamesTheSettingToGiveIt() {
        GrpcRefHeads heads = headsFailing("", unauthenticated("none"), new AtomicReference<>());

        DomainException e = assertThrows(DomainException.class, () -> heads.head(URL, new GitRef("refs/heads/main")));

        assertEquals("REF_RESOLUTION_UNAUTHENTICATED", e.reason());
        assertTrue(e.getMessage().contains("portcullis.executor.git.token-file"), e.getMessage());
    }

    @Test
    void anotherFailedPreconditionOfTheExecutorIsStillARefusalNotUnauthenticated() {
        GrpcRefHeads heads = heads("", Status.FAILED_PRECONDITION.withDescription("no"), new AtomicReference<>());

        DomainException e = assertThrows(DomainException.class, () -> heads.head(URL, new GitRef("refs/heads/main")));

        assertEquals("REF_RESOLUTION_REFUSED", e.reason());
    }

    /** The executor's answer for an https repository that wants a credential, as its error mapper builds it. */
    private static StatusRuntimeException unauthenticated(String credential) {
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(Code.FAILED_PRECONDITION_VALUE).setMessage("the repository refused the executor's git credential")
                .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain("portcullis").setReason("REPOSITORY_UNAUTHENTICATED")
                        .putMetadata("credential", credential).build()))
                .build());
    }
}
