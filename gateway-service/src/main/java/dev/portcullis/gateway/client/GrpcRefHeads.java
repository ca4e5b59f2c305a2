package dev.portcullis.gateway.client;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.drift.RefHeads;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.ResolveRefRequest;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link RefHeads} over gRPC: the executor's {@code ResolveRef}, with a deadline. The executor
 * holds the access to the repositories (it checks them out), so it reads their refs too. Its
 * messages are not passed on (they are its own words about a repository); the failure says what
 * happened by code, never with the URL. Thread-safe.
 */
public final class GrpcRefHeads implements RefHeads {
    private final ExecutorServiceGrpc.ExecutorServiceBlockingStub stub;
    private final Duration timeout;

    /** @param timeout the deadline of one call: longer than the executor's own bound on reading refs */
    public GrpcRefHeads(Channel channel, Duration timeout) {
        this.stub = ExecutorServiceGrpc.newBlockingStub(requireNonNull(channel, "channel is null"));
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    @Override
    public CommitSha head(String repoUrl, GitRef ref) {
        requireNonNull(repoUrl, "repoUrl is null");
        requireNonNull(ref, "ref is null");
        String answer;
        try {
            answer = stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .resolveRef(ResolveRefRequest.newBuilder().setRepoUrl(repoUrl).setRef(ref.value()).build())
                    .getCommitSha();
        } catch (StatusRuntimeException e) {
            throw failure(e, ref);
        }
        try {
            return new CommitSha(answer);
        } catch (IllegalArgumentException e) {
            throw new DomainException(DomainException.Kind.UNAVAILABLE, "REF_RESOLUTION_FAILED",
                    "the executor answered " + ref + " with something other than a commit", Map.of());
        }
    }

    private static DomainException failure(StatusRuntimeException e, GitRef ref) {
        String code = e.getStatus().getCode().name();
        return switch (e.getStatus().getCode()) {
            case NOT_FOUND -> new DomainException(DomainException.Kind.NOT_FOUND, "REF_NOT_FOUND",
                    "the repository has no ref " + ref, Map.of("ref", ref.value()));
            case INVALID_ARGUMENT, PERMISSION_DENIED, UNAUTHENTICATED, FAILED_PRECONDITION, UNIMPLEMENTED ->
                    new DomainException(DomainException.Kind.PRECONDITION, "REF_RESOLUTION_REFUSED",
                            "the executor refused to resolve " + ref + " (" + code + ")", Map.of());
            default -> new DomainException(DomainException.Kind.UNAVAILABLE, "REF_RESOLUTION_UNAVAILABLE",
                    "the head of " + ref + " could not be resolved: the executor or the repository did not answer ("
                            + code + ")", Map.of());
        };
    }
}
