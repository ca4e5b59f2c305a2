package dev.portcullis.executor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Duration;
import com.google.rpc.BadRequest;
import dev.portcullis.executor.task.GitRepository;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.ArtifactRef;
import dev.portcullis.v1.StartTaskRequest;
import dev.portcullis.v1.Task;
import dev.portcullis.v1.TaskFailure;
import dev.portcullis.v1.TaskSpec;
import dev.portcullis.v1.TaskState;
import dev.portcullis.v1.WatchTaskRequest;
import dev.portcullis.v1.WatchTaskResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor over real mTLS, called as the gateway, running a real local task. */
class ExecutorGrpcServiceTest {
    @TempDir
    Path dir;

    private ServiceFixture fixture;
    private ManagedChannel channel;
    private GitRepository repo;

    @BeforeEach
    void start() throws Exception {
        repo = GitRepository.create(dir);
        fixture = ServiceFixture.start("executor", dir, Map.of("portcullis.executor.work-dir", dir.resolve("work").toString(),
                "portcullis.executor.store.data-dir", dir.resolve("work").toString()));
        channel = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.GATEWAY));
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        fixture.close();
    }

    private ExecutorServiceGrpc.ExecutorServiceBlockingStub executor() {
        return ExecutorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private TaskSpec.Builder task(String runId) {
        return TaskSpec.newBuilder().setRunId(runId).setRepoUrl(repo.path().toString()).setCommitSha(repo.commit())
                .setFolder("stage/app").setEnvironment("stage").addArgv("sh").addArgv("-c").addArgv("echo one; echo two")
                .setTimeout(Duration.newBuilder().setSeconds(30));
    }

    private List<WatchTaskResponse> watch(String runId, long from) {
        List<WatchTaskResponse> events = new ArrayList<>();
        executor().watchTask(WatchTaskRequest.newBuilder().setRunId(runId).setFromOffset(from).build()).forEachRemaining(events::add);
        return events;
    }

    @Test
    void aStartedTaskIsWatchedToItsEndAndCanBeResumedFromAnyOffset() {
        String runId = RunId.random().value();

        executor().startTask(StartTaskRequest.newBuilder().setTask(task(runId)).build());
        List<WatchTaskResponse> all = watch(runId, 0);
        List<WatchTaskResponse> tail = watch(runId, 4);

        WatchTaskResponse last = all.get(all.size() - 1);
        assertEquals(TaskState.TASK_STATE_SUCCEEDED, last.getStateChange().getState());
        assertEquals(0, last.getStateChange().getExitCode());
        assertEquals(List.of("one", "two"), all.stream().filter(WatchTaskResponse::hasLogLine)
                .filter(e -> e.getLogLine().getStreamValue() == 1).map(e -> e.getLogLine().getText()).toList());
        assertEquals(all.subList(4, all.size()), tail);
    }

    @Test
    void aWatcherThatAsksForOneEventAtATimeGetsEveryEventInOrder() throws Exception {
        String runId = RunId.random().value();
        executor().startTask(StartTaskRequest.newBuilder().setTask(task(runId).clearArgv().addArgv("sh").addArgv("-c")
                .addArgv("i=1; while [ $i -le 300 ]; do echo line$i; i=$((i+1)); done")).build());
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        AtomicReference<ClientCallStreamObserver<WatchTaskRequest>> call = new AtomicReference<>();

        ExecutorServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).watchTask(
                WatchTaskRequest.newBuilder().setRunId(runId).build(),
                new ClientResponseObserver<WatchTaskRequest, WatchTaskResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<WatchTaskRequest> requestStream) {
                        call.set(requestStream);
                        requestStream.disableAutoRequestWithInitial(1);
                    }

                    @Override
                    public void onNext(WatchTaskResponse value) {
                        received.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        received.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        received.add("completed");
                    }
                });
        List<WatchTaskResponse> events = new ArrayList<>();
        Object next = received.poll(30, TimeUnit.SECONDS);
        for (; next instanceof WatchTaskResponse event; next = received.poll(30, TimeUnit.SECONDS)) {
            events.add(event);
            call.get().request(1);
        }

        assertEquals("completed", next);
        assertEquals(LongStream.range(0, events.size()).boxed().toList(), events.stream().map(WatchTaskResponse::getOffset).toList());
        assertEquals(IntStream.rangeClosed(1, 300).mapToObj(n -> "line" + n).toList(), events.stream()
                .filter(WatchTaskResponse::hasLogLine).filter(e -> e.getLogLine().getStreamValue() == 1)
                .map(e -> e.getLogLine().getText()).toList());
        assertEquals(TaskState.TASK_STATE_SUCCEEDED, events.get(events.size() - 1).getStateChange().getState());
    }

    @Test
    void aMalformedTaskIsRefusedListingEveryBadField() {
        StartTaskRequest request = StartTaskRequest.newBuilder().setTask(task("not-a-run-id")
                .setCommitSha("HEAD").setFolder("../../etc")).build();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> executor().startTask(request));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        BadRequest details = StatusProto.fromThrowable(e).getDetailsList().stream().filter(a -> a.is(BadRequest.class))
                .findFirst().map(a -> {
                    try {
                        return a.unpack(BadRequest.class);
                    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                        throw new AssertionError(ex);
                    }
                }).orElseThrow();
        assertEquals(List.of("task.run_id", "task.commit_sha", "task.folder"),
                details.getFieldViolationsList().stream().map(BadRequest.FieldViolation::getField).toList());
    }

    @Test
    void aPlanReportsItsArtifactAndAnApplyWithAnotherDigestFailsWithoutRunning() {
        String planRun = RunId.random().value();
        executor().startTask(StartTaskRequest.newBuilder().setTask(task(planRun).clearArgv().addArgv("sh").addArgv("-c")
                .addArgv("echo plan > plan.tfplan").setProducesArtifact("plan.tfplan")).build());
        Task plan = watch(planRun, 0).stream().filter(WatchTaskResponse::hasStateChange).reduce((a, b) -> b).orElseThrow()
                .getStateChange();
        ArtifactRef artifact = plan.getArtifact();
        String applyRun = RunId.random().value();

        Task apply = executor().startTask(StartTaskRequest.newBuilder().setTask(task(applyRun).setPlanArtifact(
                artifact.toBuilder().setSha256("f".repeat(64)))).build()).getTask();

        assertEquals(TaskState.TASK_STATE_SUCCEEDED, plan.getState());
        assertEquals(64, artifact.getSha256().length());
        assertEquals(5, artifact.getSizeBytes());
        assertEquals(TaskState.TASK_STATE_FAILED, apply.getState());
        assertEquals(TaskFailure.TASK_FAILURE_PLAN_DIGEST_MISMATCH, apply.getFailure());
    }

    @Test
    void aProducedArtifactThatClimbsOutOfTheFolderIsAnInvalidRequest() {
        StartTaskRequest request = StartTaskRequest.newBuilder().setTask(task(RunId.random().value())
                .setProducesArtifact("../../plan.tfplan")).build();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> executor().startTask(request));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void theEcsBackendWithoutItsSettingsStopsStartupNamingTheSetting() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> ServiceFixture.start("executor", dir.resolve("ecs"),
                Map.of("portcullis.executor.work-dir", dir.resolve("ecs-work").toString(), "portcullis.executor.backend", "ecs",
                        "portcullis.executor.store.data-dir", dir.resolve("ecs-work").toString())));

        assertEquals("portcullis.executor.ecs.cluster is required: the ECS cluster that runs the tasks",
                dev.portcullis.runtime.server.StartupFailure.describe(e));
    }

    @Test
    void theEcsBackendWithArtifactsInALocalDirectoryStopsStartupNamingTheKeys() {
        Map<String, Object> settings = new java.util.HashMap<>(Map.of(
                "portcullis.executor.work-dir", dir.resolve("ecs-local-work").toString(),
                "portcullis.executor.backend", "ecs",
                "portcullis.executor.ecs.cluster", "portcullis",
                "portcullis.executor.ecs.task-definition", "portcullis-runner:3",
                "portcullis.executor.ecs.container-name", "runner",
                "portcullis.executor.ecs.subnets", "subnet-0123456789abcdef0",
                "portcullis.executor.ecs.security-groups", "sg-0123456789abcdef0",
                "portcullis.executor.ecs.region", "eu-central-1",
                "portcullis.executor.ecs.log-group", "/portcullis/runner",
                "portcullis.executor.ecs.log-stream-prefix", "portcullis"));
        settings.put("portcullis.executor.store.data-dir", dir.resolve("ecs-local-work").toString());

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ServiceFixture.start("executor", dir.resolve("ecs-local"), settings));

        assertEquals("portcullis.executor.backend=ecs needs plan artifacts in S3: set portcullis.executor.artifacts.s3-bucket "
                + "and portcullis.executor.artifacts.s3-region (portcullis.executor.artifacts.dir is for the local backend only)",
                dev.portcullis.runtime.server.StartupFailure.describe(e));
    }
}
