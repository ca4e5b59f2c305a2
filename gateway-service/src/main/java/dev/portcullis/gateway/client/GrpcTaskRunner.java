package dev.portcullis.gateway.client;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import dev.portcullis.gateway.run.Decision;
import dev.portcullis.gateway.run.PlanArtifact;
import dev.portcullis.gateway.run.RunEvent;
import dev.portcullis.gateway.run.TaskRunner;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import dev.portcullis.v1.ArtifactRef;
import dev.portcullis.v1.CancelTaskRequest;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.SecretGrant;
import dev.portcullis.v1.SecretKind;
import dev.portcullis.v1.StartTaskRequest;
import dev.portcullis.v1.Task;
import dev.portcullis.v1.TaskSpec;
import dev.portcullis.v1.WatchTaskRequest;
import dev.portcullis.v1.WatchTaskResponse;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** {@link TaskRunner} over gRPC to the executor service; calls carry a deadline, watches do not. */
public final class GrpcTaskRunner implements TaskRunner {
    /** What an ErrorInfo reason looks like: anything else is not passed on. */
    private static final Pattern REASON = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
    private final ExecutorServiceGrpc.ExecutorServiceBlockingStub blocking;
    private final ExecutorServiceGrpc.ExecutorServiceStub async;
    private final java.time.Duration timeout;

    public GrpcTaskRunner(Channel channel, java.time.Duration timeout) {
        requireNonNull(channel, "channel is null");
        this.blocking = ExecutorServiceGrpc.newBlockingStub(channel);
        this.async = ExecutorServiceGrpc.newStub(channel);
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    @Override
    public TaskStatus start(TaskRequest request) {
        TaskSpec.Builder spec = TaskSpec.newBuilder()
                .setRunId(request.run().value())
                .setRepoUrl(request.repoUrl())
                .setCommitSha(request.commit().value())
                .setFolder(request.folder().value())
                .setEnvironment(request.environment())
                .putAllEnv(request.env())
                .setPlanSummaryTool(PlanSummaries.toProto(request.planSummaryTool()))
                .setTimeout(Duration.newBuilder().setSeconds(request.timeout().toSeconds()))
                .setTraceId(request.traceId());
        spec.addAllSteps(request.steps().stream().map(PlanSummaries::toProto).toList());
        if (request.steps().size() == 1 && !request.steps().get(0).detailedExitCode()) {
            // one plain step travels as argv, the form every executor version runs (TaskSpec: exactly
            // one of argv and steps), so a gateway upgraded before its executors keeps working
            spec.clearSteps().addAllArgv(request.steps().get(0).argv());
        }
        for (dev.portcullis.catalog.SecretGrant grant : request.secretGrants()) {
            spec.addSecretGrants(SecretGrant.newBuilder()
                    .setKind(grant.kind() == dev.portcullis.catalog.SecretGrant.Kind.AWS ? SecretKind.SECRET_KIND_AWS : SecretKind.SECRET_KIND_KV)
                    .setPath(grant.path()));
        }
        request.planArtifact().forEach(artifact -> spec.setPlanArtifact(ArtifactRef.newBuilder()
                .setUri(artifact.uri()).setSha256(artifact.sha256().value()).setSizeBytes(artifact.sizeBytes())));
        if (!request.producesArtifact().isEmpty()) {
            spec.setProducesArtifact(request.producesArtifact());
        }
        try {
            return status(deadline().startTask(StartTaskRequest.newBuilder().setTask(spec).build()).getTask());
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
    }

    @Override
    public TaskStatus cancel(RunId run, String reason) {
        try {
            return status(deadline().cancelTask(CancelTaskRequest.newBuilder().setRunId(run.value())
                    .setReason(reason.length() > 1024 ? reason.substring(0, 1024) : reason).build()).getTask());
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
    }

    @Override
    public Subscription follow(RunId run, long fromOffset, Sink sink) {
        Context.CancellableContext context = Context.current().withCancellation();
        context.run(() -> async.watchTask(WatchTaskRequest.newBuilder().setRunId(run.value()).setFromOffset(fromOffset).build(),
                new StreamObserver<WatchTaskResponse>() {
                    @Override
                    public void onNext(WatchTaskResponse response) {
                        if (response.hasStateChange()) {
                            sink.event(new StateChanged(response.getOffset(), status(response.getStateChange())));
                        } else if (response.hasLogLine()) {
                            sink.event(new Line(response.getOffset(), switch (response.getLogLine().getStream()) {
                                case LOG_STREAM_STDERR -> RunEvent.Stream.STDERR;
                                case LOG_STREAM_SYSTEM -> RunEvent.Stream.SYSTEM;
                                default -> RunEvent.Stream.STDOUT;
                            }, response.getLogLine().getText(), response.getLogLine().getRedacted()));
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        sink.ended(Optional.of(t instanceof StatusRuntimeException e ? failure(e)
                                : failure(Status.UNAVAILABLE.withCause(t).asRuntimeException())));
                    }

                    @Override
                    public void onCompleted() {
                        sink.ended(Optional.empty());
                    }
                }));
        return () -> context.cancel(null);
    }

    private ExecutorServiceGrpc.ExecutorServiceBlockingStub deadline() {
        return blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static TaskStatus status(Task task) {
        TaskState state = switch (task.getState()) {
            case TASK_STATE_PENDING -> TaskState.PENDING;
            case TASK_STATE_STARTING -> TaskState.STARTING;
            case TASK_STATE_RUNNING -> TaskState.RUNNING;
            case TASK_STATE_SUCCEEDED -> TaskState.SUCCEEDED;
            case TASK_STATE_CANCELLED -> TaskState.CANCELLED;
            case TASK_STATE_TIMED_OUT -> TaskState.TIMED_OUT;
            default -> TaskState.FAILED;
        };
        List<PlanArtifact> artifact = task.hasArtifact()
                ? List.of(new PlanArtifact(task.getArtifact().getUri(), new Sha256Digest(task.getArtifact().getSha256()),
                        task.getArtifact().getSizeBytes()))
                : List.of();
        return new TaskStatus(state, task.hasExitCode() ? List.of(task.getExitCode()) : List.of(), task.getStopReason(), artifact,
                task.hasPlanSummary() ? List.of(PlanSummaries.fromProto(task.getPlanSummary())) : List.of(),
                task.hasFailedStep() ? List.of(task.getFailedStep()) : List.of());
    }

    /**
     * The executor's refusal, by meaning; its own message is not passed on (it may name paths), its
     * {@code ErrorInfo} reason (a code, e.g. {@code STORE_UNAVAILABLE}) is.
     */
    private static DomainException failure(StatusRuntimeException e) {
        String why = e.getStatus().getCode() + reason(e).map(reason -> ", " + reason).orElse("");
        return switch (e.getStatus().getCode()) {
            case NOT_FOUND -> new DomainException(DomainException.Kind.NOT_FOUND, "TASK_NOT_FOUND",
                    "the executor has no task for this run", Map.of());
            case INVALID_ARGUMENT, FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED, PERMISSION_DENIED ->
                    new DomainException(DomainException.Kind.PRECONDITION, "EXECUTOR_REFUSED",
                            "the executor refused the task (" + why + ")", Map.of());
            default -> new DomainException(DomainException.Kind.UNAVAILABLE, "EXECUTOR_UNAVAILABLE",
                    "the executor did not answer (" + why + ")", Map.of());
        };
    }

    /** The status's {@code ErrorInfo} reason, when it carries one that reads as a code. */
    private static Optional<String> reason(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status == null) {
            return Optional.empty();
        }
        return status.getDetailsList().stream().filter(detail -> detail.is(ErrorInfo.class)).findFirst().map(detail -> {
            try {
                return detail.unpack(ErrorInfo.class).getReason();
            } catch (InvalidProtocolBufferException malformed) {
                return "";
            }
        }).filter(reason -> REASON.matcher(reason).matches());
    }
}
