package dev.portcullis.executor.api;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.secret.SecretGrant;
import dev.portcullis.executor.task.TaskArtifacts;
import dev.portcullis.executor.task.Task;
import dev.portcullis.executor.task.TaskEvent;
import dev.portcullis.executor.task.TaskService;
import dev.portcullis.executor.task.TaskSpec;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.transport.ErrorStatus;
import dev.portcullis.runtime.transport.ProtoTime;
import dev.portcullis.v1.CancelTaskRequest;
import dev.portcullis.v1.CancelTaskResponse;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.GetTaskRequest;
import dev.portcullis.v1.GetTaskResponse;
import dev.portcullis.v1.LogLine;
import dev.portcullis.v1.LogStream;
import dev.portcullis.v1.StartTaskRequest;
import dev.portcullis.v1.StartTaskResponse;
import dev.portcullis.v1.TaskBackend;
import dev.portcullis.v1.TaskFailure;
import dev.portcullis.v1.WatchTaskRequest;
import dev.portcullis.v1.WatchTaskResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** gRPC adapter of {@code portcullis.v1.ExecutorService}. Only the gateway's identity gets here. */
public final class ExecutorGrpcService extends ExecutorServiceGrpc.ExecutorServiceImplBase {
    private final TaskService tasks;
    private final Telemetry telemetry;

    public ExecutorGrpcService(TaskService tasks) {
        this(tasks, Telemetry.disabled("executor"));
    }

    /** As above, each task start in a {@code task.start} span. */
    public ExecutorGrpcService(TaskService tasks, Telemetry telemetry) {
        this.telemetry = requireNonNull(telemetry, "telemetry is null");
        this.tasks = requireNonNull(tasks, "tasks is null");
    }

    @Override
    public void startTask(StartTaskRequest request, StreamObserver<StartTaskResponse> response) {
        try {
            ParsedTask parsed = parse(request.getTask());
            Task task = telemetry.inSpan("task.start", Map.of("portcullis.run_id", parsed.spec().runId().value(),
                    "portcullis.environment", request.getTask().getEnvironment(),
                    "portcullis.secret_grants", String.valueOf(parsed.grants().size())), () -> {
                        Task started = tasks.start(parsed.spec(), parsed.grants());
                        Telemetry.annotate(Map.of("portcullis.task_state", started.state().name()));
                        return started;
                    });
            response.onNext(StartTaskResponse.newBuilder().setTask(toProto(task)).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    private record ParsedTask(TaskSpec spec, List<SecretGrant> grants) {}

    /** Stands in for a malformed digest while the other fields are checked; never reaches a task. */
    private static final Sha256Digest ANY_DIGEST = new Sha256Digest("0".repeat(64));

    private static ParsedTask parse(dev.portcullis.v1.TaskSpec proto) {
        FieldParser fields = new FieldParser();
        Optional<RunId> runId = fields.parse("task.run_id", proto.getRunId(), RunId::new);
        Optional<CommitSha> commit = fields.parse("task.commit_sha", proto.getCommitSha(), CommitSha::new);
        Optional<RepoFolder> folder = fields.parse("task.folder", proto.getFolder(), RepoFolder::parse);
        if (proto.getEnvironment().isEmpty() || proto.getEnvironment().length() > 100) {
            fields.reject("task.environment", "must be 1-100 characters");
        }
        List<SecretGrant> grants = new ArrayList<>();
        for (int i = 0; i < proto.getSecretGrantsCount(); i++) {
            dev.portcullis.v1.SecretGrant grant = proto.getSecretGrants(i);
            String field = "task.secret_grants[" + i + "]";
            SecretGrant.Kind kind = switch (grant.getKind()) {
                case SECRET_KIND_KV -> SecretGrant.Kind.KV;
                case SECRET_KIND_AWS -> SecretGrant.Kind.AWS;
                default -> null;
            };
            if (kind == null) {
                fields.reject(field + ".kind", "must be KV or AWS");
            } else {
                fields.parse(field + ".path", grant.getPath(), path -> new SecretGrant(kind, path)).ifPresent(grants::add);
            }
        }
        Duration timeout = Duration.ofSeconds(proto.getTimeout().getSeconds(), proto.getTimeout().getNanos());
        Optional<ArtifactPath> produces = proto.hasProducesArtifact()
                ? fields.parse("task.produces_artifact", proto.getProducesArtifact(), ArtifactPath::new) : Optional.empty();
        Optional<ArtifactRef> plan = Optional.empty();
        if (proto.hasPlanArtifact()) {
            dev.portcullis.v1.ArtifactRef ref = proto.getPlanArtifact();
            Optional<Sha256Digest> digest = fields.parse("task.plan_artifact.sha256", ref.getSha256(), Sha256Digest::new);
            if (ref.getSizeBytes() < 0) {
                fields.reject("task.plan_artifact.size_bytes", "must be at most 2^63-1");
            }
            plan = fields.parse("task.plan_artifact.uri", ref.getUri(), uri -> new ArtifactRef(uri,
                    digest.orElse(ANY_DIGEST), Math.max(0, ref.getSizeBytes())));
        }
        fields.throwIfInvalid();
        TaskArtifacts artifacts = TaskArtifacts.NONE;
        if (produces.isPresent()) {
            artifacts = artifacts.producing(produces.get());
        }
        if (plan.isPresent()) {
            artifacts = artifacts.applying(plan.get());
        }
        TaskArtifacts parsedArtifacts = artifacts;
        Optional<TaskSpec> spec = fields.parse("task", "", ignored -> new TaskSpec(runId.orElseThrow(), proto.getRepoUrl(),
                commit.orElseThrow(), folder.orElseThrow(), proto.getEnvironment(), proto.getArgvList(), timeout,
                parsedArtifacts, proto.getTraceId()));
        fields.throwIfInvalid();
        return new ParsedTask(spec.orElseThrow(), grants);
    }

    @Override
    public void getTask(GetTaskRequest request, StreamObserver<GetTaskResponse> response) {
        try {
            RunId runId = runId(request.getRunId());
            response.onNext(GetTaskResponse.newBuilder().setTask(toProto(tasks.get(runId))).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void cancelTask(CancelTaskRequest request, StreamObserver<CancelTaskResponse> response) {
        try {
            RunId runId = runId(request.getRunId());
            String reason = request.getReason().length() > 1024 ? request.getReason().substring(0, 1024) : request.getReason();
            response.onNext(CancelTaskResponse.newBuilder().setTask(toProto(tasks.cancel(runId, reason))).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void watchTask(WatchTaskRequest request, StreamObserver<WatchTaskResponse> response) {
        ServerCallStreamObserver<WatchTaskResponse> stream = (ServerCallStreamObserver<WatchTaskResponse>) response;
        try {
            RunId runId = runId(request.getRunId());
            long offset = request.getFromOffset();
            tasks.get(runId);
            while (!stream.isCancelled() && !tasks.exhausted(runId, offset)) {
                List<TaskEvent> events = tasks.events(runId, offset, 500);
                for (TaskEvent event : events) {
                    response.onNext(toProto(event));
                    offset = event.offset() + 1;
                }
                if (events.isEmpty()) {
                    tasks.awaitEvent(runId, offset, Duration.ofSeconds(5));
                }
            }
            if (!stream.isCancelled()) {
                response.onCompleted();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.onError(io.grpc.Status.UNAVAILABLE.withDescription("the executor is shutting down").asRuntimeException());
        } catch (RuntimeException e) {
            if (!stream.isCancelled()) {
                response.onError(ErrorStatus.of(e));
            }
        }
    }

    private static RunId runId(String text) {
        return FieldParser.single("run_id", text, RunId::new);
    }

    private static WatchTaskResponse toProto(TaskEvent event) {
        WatchTaskResponse.Builder proto = WatchTaskResponse.newBuilder().setOffset(event.offset()).setTime(ProtoTime.of(event.time()));
        if (event instanceof TaskEvent.StateChanged changed) {
            proto.setStateChange(toProto(changed.task()));
        } else if (event instanceof TaskEvent.Line line) {
            proto.setLogLine(LogLine.newBuilder()
                    .setStream(switch (line.stream()) {
                        case STDOUT -> LogStream.LOG_STREAM_STDOUT;
                        case STDERR -> LogStream.LOG_STREAM_STDERR;
                        case SYSTEM -> LogStream.LOG_STREAM_SYSTEM;
                    })
                    .setText(line.text())
                    .setRedacted(line.redacted()));
        }
        return proto.build();
    }

    static dev.portcullis.v1.Task toProto(Task task) {
        dev.portcullis.v1.Task.Builder proto = dev.portcullis.v1.Task.newBuilder()
                .setRunId(task.runId().value())
                .setState(dev.portcullis.v1.TaskState.valueOf("TASK_STATE_" + task.state().name()))
                .setBackend(switch (task.backend()) {
                    case LOCAL -> TaskBackend.TASK_BACKEND_LOCAL;
                    case ECS -> TaskBackend.TASK_BACKEND_ECS;
                })
                .setFailure(TaskFailure.valueOf("TASK_FAILURE_" + (task.failure() == dev.portcullis.executor.task.TaskFailure.NONE
                        ? "UNSPECIFIED" : task.failure().name())))
                .setBackendRef(task.backendRef())
                .setStopReason(task.stopReason())
                .setCreatedAt(ProtoTime.of(task.createdAt()));
        task.exitCode().ifPresent(proto::setExitCode);
        task.artifact().ifPresent(artifact -> proto.setArtifact(dev.portcullis.v1.ArtifactRef.newBuilder()
                .setUri(artifact.uri()).setSha256(artifact.sha256().value()).setSizeBytes(artifact.sizeBytes())));
        task.startedAt().ifPresent(at -> proto.setStartedAt(ProtoTime.of(at)));
        task.endedAt().ifPresent(at -> proto.setEndedAt(ProtoTime.of(at)));
        return proto.build();
    }


}
