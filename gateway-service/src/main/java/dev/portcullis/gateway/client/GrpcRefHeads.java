package dev.portcullis.gateway.client;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.drift.RefHeads;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.ResolveRefRequest;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@link RefHeads} over gRPC: the executor's {@code ResolveRef}, with a deadline. The executor
 * holds the access to the repositories (it checks them out), so it reads their refs too. Its
 * messages are not passed on (they are its own words about a repository); the failure says what
 * happened by code, never with the URL, and an https repository refusing the executor's git
 * credential by the executor's {@code ErrorInfo} ({@code REPOSITORY_UNAUTHENTICATED}), so the
 * failing drift check names the cause and what to fix. Thread-safe.
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
        Optional<ErrorInfo> info = errorInfo(e);
        if (e.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION
                && info.filter(i -> i.getReason().equals("REPOSITORY_UNAUTHENTICATED")).isPresent()) {
            return unauthenticated(info.get().getMetadataOrDefault("credential", ""), ref);
        }
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

    /**
     * The repository wants a credential the executor lacks, cannot read, or was refused with
     * (metadata {@code credential} of the executor's answer): the message says which and what to fix.
     */
    private static DomainException unauthenticated(String credential, GitRef ref) {
        String message = switch (credential) {
            case "none" -> "the repository requires a credential to read " + ref + " and the executor has none:"
                    + " give the executor the read-only git token the runner clones with"
                    + " (portcullis.executor.git.token-file)";
            case "unreadable" -> "the executor's git token file (portcullis.executor.git.token-file) is missing,"
                    + " empty or not one line, so " + ref + " was not resolved: check the mounted secret";
            case "refused" -> "the repository refused the executor's git token for " + ref + ": check that"
                    + " the token is valid, unexpired and may read the repository";
            default -> "the repository refused the executor's access to " + ref + ": check the executor's git token"
                    + " (portcullis.executor.git.token-file)";
        };
        Map<String, String> metadata = switch (credential) {
            case "none", "unreadable", "refused" -> Map.of("credential", credential);
            default -> Map.of();
        };
        return new DomainException(DomainException.Kind.PRECONDITION, "REF_RESOLUTION_UNAUTHENTICATED", message,
                metadata);
    }

    private static Optional<ErrorInfo> errorInfo(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status == null) {
            return Optional.empty();
        }
        return status.getDetailsList().stream().filter(detail -> detail.is(ErrorInfo.class)).findFirst()
                .flatMap(detail -> {
                    try {
                        return Optional.of(detail.unpack(ErrorInfo.class));
                    } catch (InvalidProtocolBufferException malformed) {
                        return Optional.empty();
                    }
                });
    }
}
