package dev.portcullis.executor.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.executor.task.GitRepository;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestDatabases;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.StartTaskRequest;
import dev.portcullis.v1.StartTaskResponse;
import dev.portcullis.v1.TaskSpec;
import dev.portcullis.v1.TaskState;
import dev.portcullis.v1.WatchTaskRequest;
import dev.portcullis.v1.WatchTaskResponse;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two executors over real mTLS sharing one PostgreSQL task database, as replicas behind one
 * address: either answers for any task, and starting one run through both starts one task.
 */
class ExecutorReplicasTest {
    @TempDir
    Path dir;

    private GitRepository repo;
    private TestDatabases.Settings database;
    private final List<ServiceFixture> fixtures = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private ExecutorServiceGrpc.ExecutorServiceBlockingStub first;
    private ExecutorServiceGrpc.ExecutorServiceBlockingStub second;

    @BeforeEach
    void startTwoReplicas() throws Exception {
        database = TestDatabases.freshPostgresSchema();
        repo = GitRepository.create(dir);
        Path password = Files.writeString(dir.resolve("db-password"), database.password(), StandardCharsets.UTF_8);
        String url = database.jdbcUrlInSchema();
        first = replica("first", url, password);
        second = replica("second", url, password);
    }

    private ExecutorServiceGrpc.ExecutorServiceBlockingStub replica(String name, String url, Path password) {
        ServiceFixture fixture = ServiceFixture.start("executor", dir.resolve(name), Map.of(
                "portcullis.executor.work-dir", dir.resolve(name + "-work").toString(),
                "portcullis.executor.store.data-dir", dir.resolve(name + "-work").toString(),
                "portcullis.executor.store.jdbc-url", url,
                "portcullis.executor.store.db-user", database.user(),
                "portcullis.executor.store.db-password-file", password.toString(),
                "portcullis.executor.store.lease", "2s",
                "portcullis.executor.store.poll-interval", "50ms"));
        fixtures.add(fixture);
        ManagedChannel channel = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.GATEWAY));
        channels.add(channel);
        return ExecutorServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
        channels.forEach(ManagedChannel::shutdownNow);
        fixtures.forEach(ServiceFixture::close);
        TestDatabases.drop(database);
    }

    private TaskSpec.Builder task(String runId, String script) {
        return TaskSpec.newBuilder().setRunId(runId).setRepoUrl(repo.path().toString()).setCommitSha(repo.commit())
                .setFolder("stage/app").setEnvironment("stage").addArgv("sh").addArgv("-c").addArgv(script)
                .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(60));
    }

    private static List<WatchTaskResponse> watch(ExecutorServiceGrpc.ExecutorServiceBlockingStub executor, String runId,
            long from) {
        List<WatchTaskResponse> events = new ArrayList<>();
        executor.withDeadlineAfter(60, TimeUnit.SECONDS).watchTask(WatchTaskRequest.newBuilder().setRunId(runId)
                .setFromOffset(from).build()).forEachRemaining(events::add);
        return events;
    }

    /** A watch running in the background, its events collected as they come. */
    private Future<?> watchInto(ExecutorServiceGrpc.ExecutorServiceBlockingStub executor, String runId, long from,
            List<WatchTaskResponse> received) {
        return threads.submit(() -> executor.withDeadlineAfter(60, TimeUnit.SECONDS).watchTask(WatchTaskRequest.newBuilder()
                .setRunId(runId).setFromOffset(from).build()).forEachRemaining(received::add));
    }

    private static List<String> stdout(List<WatchTaskResponse> events) {
        return events.stream().filter(WatchTaskResponse::hasLogLine).filter(e -> e.getLogLine().getStreamValue() == 1)
                .map(e -> e.getLogLine().getText()).toList();
    }

    @Test
    void aTaskStartedThroughOneReplicaIsWatchedThroughTheOtherFromTheStartAndTheMiddleWithNothingMissedOrRepeated()
            throws Exception {
        String runId = RunId.random().value();
        Path go = dir.resolve("go");
        String script = "i=1; while [ $i -le 40 ]; do echo line$i; i=$((i+1)); done; while [ ! -f '" + go
                + "' ]; do sleep 0.05; done; while [ $i -le 80 ]; do echo line$i; i=$((i+1)); done";
        first.startTask(StartTaskRequest.newBuilder().setTask(task(runId, script)).build());
        List<WatchTaskResponse> fromTheStart = new CopyOnWriteArrayList<>();
        List<WatchTaskResponse> fromTheMiddle = new CopyOnWriteArrayList<>();
        Future<?> watchingFromTheStart = watchInto(second, runId, 0, fromTheStart);
        Future<?> watchingFromTheMiddle = watchInto(second, runId, 20, fromTheMiddle);
        await("the first 40 lines through the other replica").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20)).until(() -> stdout(fromTheStart).size() == 40);

        Files.writeString(go, "go");
        watchingFromTheStart.get(60, TimeUnit.SECONDS);
        watchingFromTheMiddle.get(60, TimeUnit.SECONDS);

        List<WatchTaskResponse> all = watch(first, runId, 0);
        assertEquals(IntStream.rangeClosed(1, 80).mapToObj(i -> "line" + i).toList(), stdout(all));
        assertEquals(TaskState.TASK_STATE_SUCCEEDED, all.get(all.size() - 1).getStateChange().getState());
        assertEquals(all, fromTheStart);
        assertEquals(all.subList(20, all.size()), fromTheMiddle);
        assertEquals(all, watch(second, runId, 0));
    }

    @Test
    void startTaskForOneRunThroughBothReplicasAtOnceStartsOneTask() throws Exception {
        for (int attempt = 0; attempt < 5; attempt++) {
            String runId = RunId.random().value();
            StartTaskRequest request = StartTaskRequest.newBuilder().setTask(task(runId, "echo ran")).build();
            CountDownLatch go = new CountDownLatch(1);
            Future<StartTaskResponse> throughTheFirst = threads.submit(() -> {
                go.await();
                return first.withDeadlineAfter(60, TimeUnit.SECONDS).startTask(request);
            });
            Future<StartTaskResponse> throughTheSecond = threads.submit(() -> {
                go.await();
                return second.withDeadlineAfter(60, TimeUnit.SECONDS).startTask(request);
            });

            go.countDown();

            StartTaskResponse one = throughTheFirst.get(60, TimeUnit.SECONDS);
            StartTaskResponse other = throughTheSecond.get(60, TimeUnit.SECONDS);
            assertEquals(one.getTask().getCreatedAt(), other.getTask().getCreatedAt(), "one task, created once");
            List<WatchTaskResponse> events = watch(second, runId, 0);
            assertEquals(List.of("ran"), stdout(events));
            assertEquals(1, events.stream().filter(e -> e.hasStateChange()
                    && e.getStateChange().getState() == TaskState.TASK_STATE_PENDING).count());
        }
    }
}
