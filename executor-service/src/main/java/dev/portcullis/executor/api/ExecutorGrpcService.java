package dev.portcullis.executor.api;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.repo.GitRefHeads;
import dev.portcullis.executor.task.Task;
import dev.portcullis.executor.task.TaskEvent;
import dev.portcullis.executor.task.TaskService;
import dev.portcullis.executor.task.TaskState;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.stream.EventFeed;
import dev.portcullis.runtime.stream.EventStreamer;
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
import dev.portcullis.v1.ResolveRefRequest;
import dev.portcullis.v1.ResolveRefResponse;
import dev.portcullis.v1.StartTaskRequest;
import dev.portcullis.v1.StartTaskResponse;
import dev.portcullis.v1.TaskBackend;
import dev.portcullis.v1.TaskFailure;
import dev.portcullis.v1.WatchTaskRequest;
import dev.portcullis.v1.WatchTaskResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** gRPC adapter of {@code portcullis.v1.ExecutorService}. Only the gateway's identity gets here. */
public final class ExecutorGrpcService extends ExecutorServiceGrpc.ExecutorServiceImplBase {
    // the log wakes its watchers; the bound only caps how long a wait lasts
    private static final Duration EVENT_RECHECK = Duration.ofSeconds(5);

    private final TaskService tasks;
    private final GitRefHeads refs;
    private final Telemetry telemetry;
    private final EventStreamer streamer = new EventStreamer("executor", ErrorStatus::of);

    /** Each task start in a {@code task.start} span; refs resolved by {@code refs}. */
    public ExecutorGrpcService(TaskService tasks, GitRefHeads refs, Telemetry telemetry) {
        this.telemetry = requireNonNull(telemetry, "telemetry is null");
        this.tasks = requireNonNull(tasks, "tasks is null");
        this.refs = requireNonNull(refs, "refs is null");
    }

    @Override
    public void resolveRef(ResolveRefRequest request, StreamObserver<ResolveRefResponse> response) {
        ResolveRefResponse reply;
        try {
            RefRequests.RefToResolve parsed = RefRequests.parse(request);
            CommitSha head = refs.head(parsed.repoUrl(), parsed.ref());
            reply = ResolveRefResponse.newBuilder().setCommitSha(head.value()).build();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
            return;
        }
        response.onNext(reply);
        response.onCompleted();
    }

    @Override
    public void startTask(StartTaskRequest request, StreamObserver<StartTaskResponse> response) {
        try {
            TaskRequests.ParsedTask parsed = TaskRequests.task(request.getTask());
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

    @Override
    public void getTask(GetTaskRequest request, StreamObserver<GetTaskResponse> response) {
        try {
            RunId runId = TaskRequests.runId(request.getRunId());
            response.onNext(GetTaskResponse.newBuilder().setTask(toProto(tasks.get(runId))).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void cancelTask(CancelTaskRequest request, StreamObserver<CancelTaskResponse> response) {
        try {
            RunId runId = TaskRequests.runId(request.getRunId());
            String reason = TaskRequests.cancelReason(request);
            response.onNext(CancelTaskResponse.newBuilder().setTask(toProto(tasks.cancel(runId, reason))).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void watchTask(WatchTaskRequest request, StreamObserver<WatchTaskResponse> response) {
        streamer.open(response, () -> {
            TaskRequests.Watching watching = TaskRequests.watching(request);
            tasks.get(watching.run());
            return new TaskWatch(tasks, watching.run(), watching.fromOffset());
        });
    }

    /** A task's events from an offset until its stream has ended and every event was sent. */
    private static final class TaskWatch implements EventFeed<WatchTaskResponse> {
        private final TaskService tasks;
        private final RunId runId;
        private long offset;

        TaskWatch(TaskService tasks, RunId runId, long offset) {
            this.tasks = tasks;
            this.runId = runId;
            this.offset = offset;
        }

        @Override
        public List<WatchTaskResponse> next(int max) {
            List<TaskEvent> events = tasks.events(runId, offset, max);
            if (!events.isEmpty()) {
                offset = events.get(events.size() - 1).offset() + 1;
            }
            return events.stream().map(ExecutorGrpcService::toProto).toList();
        }

        @Override
        public boolean finished() {
            return tasks.exhausted(runId, offset);
        }

        @Override
        public void awaitMore() throws InterruptedException {
            tasks.awaitEvent(runId, offset, EVENT_RECHECK);
        }
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
                .setState(toProto(task.state()))
                .setBackend(switch (task.backend()) {
                    case LOCAL -> TaskBackend.TASK_BACKEND_LOCAL;
                    case ECS -> TaskBackend.TASK_BACKEND_ECS;
                })
                .setFailure(toProto(task.failure()))
                .setBackendRef(task.backendRef())
                .setStopReason(task.stopReason())
                .setCreatedAt(ProtoTime.of(task.createdAt()));
        task.exitCode().ifPresent(proto::setExitCode);
        task.artifact().ifPresent(artifact -> proto.setArtifact(dev.portcullis.v1.ArtifactRef.newBuilder()
                .setUri(artifact.uri()).setSha256(artifact.sha256().value()).setSizeBytes(artifact.sizeBytes())));
        task.planSummary().ifPresent(plan -> proto.setPlanSummary(PlanMessages.toProto(plan)));
        task.failedStep().ifPresent(proto::setFailedStep);
        task.startedAt().ifPresent(at -> proto.setStartedAt(ProtoTime.of(at)));
        task.endedAt().ifPresent(at -> proto.setEndedAt(ProtoTime.of(at)));
        return proto.build();
    }

    static dev.portcullis.v1.TaskState toProto(TaskState state) {
        return switch (state) {
            case PENDING -> dev.portcullis.v1.TaskState.TASK_STATE_PENDING;
            case STARTING -> dev.portcullis.v1.TaskState.TASK_STATE_STARTING;
            case RUNNING -> dev.portcullis.v1.TaskState.TASK_STATE_RUNNING;
            case SUCCEEDED -> dev.portcullis.v1.TaskState.TASK_STATE_SUCCEEDED;
            case FAILED -> dev.portcullis.v1.TaskState.TASK_STATE_FAILED;
            case CANCELLED -> dev.portcullis.v1.TaskState.TASK_STATE_CANCELLED;
            case TIMED_OUT -> dev.portcullis.v1.TaskState.TASK_STATE_TIMED_OUT;
        };
    }

    /** A task that did not fail for one of these reasons has no failure: UNSPECIFIED. */
    static TaskFailure toProto(dev.portcullis.executor.task.TaskFailure failure) {
        return switch (failure) {
            case NONE -> TaskFailure.TASK_FAILURE_UNSPECIFIED;
            case PLAN_DIGEST_MISMATCH -> TaskFailure.TASK_FAILURE_PLAN_DIGEST_MISMATCH;
            case PLAN_UNAVAILABLE -> TaskFailure.TASK_FAILURE_PLAN_UNAVAILABLE;
            case ARTIFACT_MISSING -> TaskFailure.TASK_FAILURE_ARTIFACT_MISSING;
            case ARTIFACT_UNAVAILABLE -> TaskFailure.TASK_FAILURE_ARTIFACT_UNAVAILABLE;
            case SECRETS_UNAVAILABLE -> TaskFailure.TASK_FAILURE_SECRETS_UNAVAILABLE;
            case EXECUTOR_RESTARTED -> TaskFailure.TASK_FAILURE_EXECUTOR_RESTARTED;
            case TASK_LOST -> TaskFailure.TASK_FAILURE_TASK_LOST;
            case PLAN_SUMMARY_UNAVAILABLE -> TaskFailure.TASK_FAILURE_PLAN_SUMMARY_UNAVAILABLE;
        };
    }
}
