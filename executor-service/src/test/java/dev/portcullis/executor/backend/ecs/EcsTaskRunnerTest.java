package dev.portcullis.executor.backend.ecs;

import dev.portcullis.runtime.testing.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.executor.backend.ecs.EcsFake.Request;
import dev.portcullis.executor.backend.ecs.EcsFake.Script;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;

/** The ECS backend through the real AWS SDK against {@link EcsFake} on loopback. */
class EcsTaskRunnerTest {
    static final String CLUSTER = "portcullis";
    static final String LOG_GROUP = "/portcullis/tasks";
    static final String STREAM_PREFIX = "portcullis";
    static final String SECRET = "s3cr3t-value-never-logged";
    // test values, not credentials: the fake checks the signature's shape, not its key
    static final StaticCredentialsProvider TEST_CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test-access-key", "test-secret-key"));

    private final EcsFake fake = EcsFake.start(CLUSTER, LOG_GROUP, STREAM_PREFIX);
    private final EcsConfig config = new EcsConfig(CLUSTER, "portcullis-task:7", "runner",
            List.of("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"), List.of("sg-0123456789abcdef0"),
            EcsFake.REGION, LOG_GROUP, STREAM_PREFIX, Duration.ofMillis(2), Duration.ofMillis(20),
            fake.endpoint().toString());
    private final EcsClient ecs = EcsSdkClients.ecs(config, TEST_CREDENTIALS);
    private final CloudWatchLogsClient logs = EcsSdkClients.logs(config, TEST_CREDENTIALS);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final String runId = UUID.randomUUID().toString();
    private final EcsLaunch launch = new EcsLaunch(runId, List.of("terraform", "plan", "-input=false"),
            Map.of("TF_VAR_token", SECRET, "AWS_REGION", "eu-central-1"), Duration.ofHours(2));

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        ecs.close();
        logs.close();
        fake.close();
    }

    private EcsTaskRunner runner(Clock clock) {
        EcsTaskRunner runner = new EcsTaskRunner(config, ecs, logs, clock);
        closeables.add(runner);
        return runner;
    }

    private EcsTaskRunner runner() {
        return runner(Clock.systemUTC());
    }

    private static List<String> lines(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> "line " + i + " of terraform's output").toList();
    }

    @Test
    void aTaskThatExitsZeroIsFollowedToItsEndWithItsLogInOrder() {
        fake.nextTask(Script.exits(0, lines(25)));
        fake.logPageSize(10);
        RecordingListener listener = new RecordingListener();

        String taskArn = runner().start(launch, listener);

        EcsTaskStatus finished = listener.awaitFinished();
        assertEquals(List.of("PROVISIONING", "PENDING", "RUNNING", "DEPROVISIONING"), listener.statuses());
        assertEquals(lines(25), listener.lines());
        assertEquals(taskArn, finished.taskArn());
        assertEquals("STOPPED", finished.lastStatus());
        assertEquals(Optional.of(0), finished.exitCode());
        assertEquals("Essential container in task exited", finished.stopReason());
        assertEquals(Optional.of("portcullis/runner/" + taskArn.substring(taskArn.lastIndexOf('/') + 1)), finished.logStream());
        assertFalse(listener.timedOut());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theLaunchAsksForThePinnedFargateTaskWithTheRunsCommandTagsAndPrivateNetwork() {
        RecordingListener listener = new RecordingListener();

        runner().start(launch, listener);
        listener.awaitFinished();

        Request request = fake.requests("RunTask").get(0);
        Map<String, Object> body = request.body();
        assertEquals("application/x-amz-json-1.1", request.contentType());
        assertEquals("us-east-1", request.signingRegion());
        assertEquals("ecs", request.signingService());
        assertEquals(CLUSTER, body.get("cluster"));
        assertEquals("portcullis-task:7", body.get("taskDefinition"));
        assertEquals("FARGATE", body.get("launchType"));
        assertEquals("portcullis", body.get("startedBy"));
        assertEquals("portcullis-" + runId, body.get("clientToken"));
        assertEquals(List.of(Map.of("key", "run-id", "value", runId)), body.get("tags"));
        assertEquals(Map.of("awsvpcConfiguration", Map.of(
                        "subnets", List.of("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"),
                        "securityGroups", List.of("sg-0123456789abcdef0"),
                        "assignPublicIp", "DISABLED")),
                body.get("networkConfiguration"));
        assertEquals(Map.of("containerOverrides", List.of(Map.of(
                        "name", "runner",
                        "command", List.of("terraform", "plan", "-input=false"),
                        "environment", List.of(Map.of("name", "AWS_REGION", "value", "eu-central-1"),
                                Map.of("name", "TF_VAR_token", "value", SECRET))))),
                body.get("overrides"));
        Request read = fake.requests("GetLogEvents").get(0);
        assertEquals("logs", read.signingService());
        assertEquals(LOG_GROUP, read.body().get("logGroupName"));
        assertEquals(true, read.body().get("startFromHead"));
    }

    @Test
    void aNonZeroExitIsReportedWithItsExitCodeAndReason() {
        fake.nextTask(Script.exits(1, List.of("Error: creating S3 bucket: AccessDenied")));
        RecordingListener listener = new RecordingListener();

        runner().start(launch, listener);

        EcsTaskStatus finished = listener.awaitFinished();
        assertEquals(Optional.of(1), finished.exitCode());
        assertEquals("Essential container in task exited", finished.stopReason());
        assertEquals(List.of("Error: creating S3 bucket: AccessDenied"), listener.lines());
        assertFalse(listener.timedOut());
    }

    @Test
    void anImageThatCannotBePulledIsReportedWithItsReasonAndNoExitCode() {
        fake.nextTask(Script.cannotPull());
        RecordingListener listener = new RecordingListener();

        runner().start(launch, listener);

        EcsTaskStatus finished = listener.awaitFinished();
        assertEquals("STOPPED", finished.lastStatus());
        assertEquals(Optional.empty(), finished.exitCode());
        assertTrue(finished.stopReason().startsWith("CannotPullContainerError: "), finished.stopReason());
        assertEquals(List.of("PROVISIONING", "PENDING"), listener.statuses());
        assertEquals(List.of(), listener.lines());
    }

    @Test
    void throttledCallsAreRetriedUntilTheyGoThrough() {
        fake.nextTask(Script.exits(0, lines(5)));
        fake.throttle("ListTasks", 2);
        fake.throttle("RunTask", 2);
        fake.throttle("DescribeTasks", 3);
        fake.throttle("GetLogEvents", 3);
        RecordingListener listener = new RecordingListener();

        runner().start(launch, listener);

        EcsTaskStatus finished = listener.awaitFinished();
        assertEquals(Optional.of(0), finished.exitCode());
        assertEquals(lines(5), listener.lines());
        assertEquals(3, fake.calls("RunTask"));
        assertEquals(1, fake.launchedTasks());
        assertTrue(fake.calls("DescribeTasks") > 3 && fake.calls("GetLogEvents") > 3);
    }

    @Test
    void cancelStopsTheTaskWithItsReasonAndTheRunFinishes() {
        fake.nextTask(Script.runsUntilStopped(lines(3)));
        RecordingListener listener = new RecordingListener();
        EcsTaskRunner runner = runner();
        String taskArn = runner.start(launch, listener);
        listener.awaitLines(3);

        runner.cancel(runId, "cancelled by spiffe://example.org/human/alice");

        EcsTaskStatus finished = listener.awaitFinished();
        Request stop = fake.requests("StopTask").get(0);
        assertEquals(Map.of("cluster", CLUSTER, "task", taskArn, "reason", "cancelled by spiffe://example.org/human/alice"),
                stop.body());
        assertEquals("STOPPED", finished.lastStatus());
        assertEquals("cancelled by spiffe://example.org/human/alice", finished.stopReason());
        assertEquals(Optional.of(143), finished.exitCode());
        assertFalse(listener.timedOut());
    }

    @Test
    void cancellingTwiceOrAfterTheEndOrAnUnknownRunStopsTheTaskOnce() {
        fake.nextTask(Script.runsUntilStopped(List.of()));
        RecordingListener listener = new RecordingListener();
        EcsTaskRunner runner = runner();
        runner.start(launch, listener);
        listener.awaitStatus("RUNNING");

        runner.cancel(runId, "first");
        runner.cancel(runId, "second");
        listener.awaitFinished();
        runner.cancel(runId, "after the end");
        runner.cancel(UUID.randomUUID().toString(), "never started");

        assertEquals(1, fake.calls("StopTask"));
        assertEquals("first", fake.requests("StopTask").get(0).body().get("reason"));
    }

    @Test
    void aTaskStillRunningAtItsTimeoutIsStoppedAndReportedTimedOut() {
        MutableClock clock = MutableClock.at(Instant.parse("2024-03-04T10:00:00Z"));
        fake.nextTask(Script.runsUntilStopped(List.of("Still creating... [10m0s elapsed]")));
        RecordingListener listener = new RecordingListener();
        runner(clock).start(launch, listener);
        listener.awaitLines(1);

        clock.advance(Duration.ofHours(2).plusSeconds(1));

        EcsTaskStatus finished = listener.awaitFinished();
        assertTrue(listener.timedOut());
        assertEquals("STOPPED", finished.lastStatus());
        assertEquals("Portcullis: the run's timeout of PT2H passed", fake.requests("StopTask").get(0).body().get("reason"));
        assertEquals(1, fake.calls("StopTask"));
    }

    @Test
    void startingTheSameRunAgainAttachesToItsTaskAndLaunchesNothing() {
        fake.nextTask(Script.runsUntilStopped(List.of()));
        RecordingListener first = new RecordingListener();
        RecordingListener second = new RecordingListener();
        EcsTaskRunner runner = runner();
        String taskArn = runner.start(launch, first);
        first.awaitStatus("RUNNING");

        String again = runner.start(launch, second);
        fake.finish(taskArn, 0);

        assertEquals(taskArn, again);
        assertEquals(Optional.of(0), first.awaitFinished().exitCode());
        assertEquals(Optional.of(0), second.awaitFinished().exitCode());
        assertEquals(1, fake.calls("RunTask"));
        assertEquals(1, fake.launchedTasks());
    }

    @Test
    void aRunTaskWhoseAnswerWasLostIsRetriedWithTheSameClientTokenAndLaunchesOneTask() {
        fake.loseNextAnswer("RunTask");
        RecordingListener listener = new RecordingListener();

        String taskArn = runner().start(launch, listener);

        listener.awaitFinished();
        List<Request> runs = fake.requests("RunTask");
        assertEquals(2, runs.size());
        assertEquals(runs.get(0).body().get("clientToken"), runs.get(1).body().get("clientToken"));
        assertEquals(1, fake.launchedTasks());
        assertEquals(Optional.of(taskArn), fake.taskOf(runId));
    }

    @Test
    void aNewRunnerFindsTheRunningTaskOfARunAndFollowsItToTheEnd() {
        fake.nextTask(Script.runsUntilStopped(lines(4)));
        RecordingListener before = new RecordingListener();
        EcsTaskRunner crashed = runner();
        String taskArn = crashed.start(launch, before);
        before.awaitLines(4);
        crashed.close();
        RecordingListener after = new RecordingListener();

        String attached = runner().start(launch, after);
        after.awaitStatus("RUNNING");
        fake.appendLogs(taskArn, List.of("Apply complete!"));
        fake.finish(taskArn, 0);

        assertEquals(taskArn, attached);
        EcsTaskStatus finished = after.awaitFinished();
        assertEquals(Optional.of(0), finished.exitCode());
        // the stream is read again from its start: the caller de-duplicates by offset
        assertEquals(concat(lines(4), List.of("Apply complete!")), after.lines());
        assertEquals(1, fake.calls("RunTask"));
        assertEquals(1, fake.launchedTasks());
    }

    @Test
    void aNewRunnerReportsARunWhoseTaskEndedWhileNoRunnerWatchedWithoutLaunchingAgain() {
        fake.nextTask(Script.runsUntilStopped(List.of("plan: 1 to add")));
        RecordingListener before = new RecordingListener();
        EcsTaskRunner crashed = runner();
        String taskArn = crashed.start(launch, before);
        before.awaitStatus("RUNNING");
        crashed.close();
        fake.finish(taskArn, 2);
        RecordingListener after = new RecordingListener();

        String attached = runner().start(launch, after);

        assertEquals(taskArn, attached);
        EcsTaskStatus finished = after.awaitFinished();
        assertEquals(Optional.of(2), finished.exitCode());
        assertEquals(List.of("plan: 1 to add"), after.lines());
        assertEquals(1, fake.calls("RunTask"));
    }

    @Test
    void aNewRunnerCanCancelARunBeforeAttachingToIt() {
        fake.nextTask(Script.runsUntilStopped(List.of()));
        RecordingListener before = new RecordingListener();
        EcsTaskRunner crashed = runner();
        String taskArn = crashed.start(launch, before);
        before.awaitStatus("RUNNING");
        crashed.close();

        runner().cancel(runId, "cancelled while the executor restarted");

        Request stop = fake.requests("StopTask").get(0);
        assertEquals(taskArn, stop.body().get("task"));
        assertEquals("cancelled while the executor restarted", stop.body().get("reason"));
    }

    @Test
    void runningTasksOfOtherRunsAreListedPageByPageAndNeverAttached() {
        EcsTaskRunner runner = runner();
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fake.nextTask(Script.runsUntilStopped(List.of()));
            EcsLaunch other = new EcsLaunch(UUID.randomUUID().toString(), List.of("true"), Map.of(), Duration.ofHours(1));
            others.add(runner.start(other, new RecordingListener()));
        }
        fake.listPageSize(2);
        RecordingListener listener = new RecordingListener();

        String taskArn = runner.start(launch, listener);

        assertFalse(others.contains(taskArn));
        assertEquals(4, fake.launchedTasks());
        assertTrue(fake.requests("ListTasks").stream().anyMatch(r -> r.body().containsKey("nextToken")));
        assertEquals(Optional.of(0), listener.awaitFinished().exitCode());
    }

    @Test
    void aLaunchWithoutATaskFailsWithEcsReasonAndMayBeStartedAgain() {
        fake.failNextLaunch("RESOURCE:ENI");
        EcsTaskRunner runner = runner();

        EcsTaskException refused = assertThrows(EcsTaskException.class, () -> runner.start(launch, new RecordingListener()));

        assertEquals("ECS launched no task: RESOURCE:ENI", refused.getMessage());
        assertTrue(refused.retryable());
        RecordingListener listener = new RecordingListener();
        runner.start(launch, listener);
        assertEquals(Optional.of(0), listener.awaitFinished().exitCode());
    }

    @Test
    void aDeniedLaunchFailsAtOnceWithoutRetrying() {
        fake.deny("RunTask");

        EcsTaskException refused =
                assertThrows(EcsTaskException.class, () -> runner().start(launch, new RecordingListener()));

        assertEquals("RunTask failed: AccessDeniedException", refused.getMessage());
        assertFalse(refused.retryable());
        assertEquals(1, fake.calls("RunTask"));
    }

    @Test
    void neitherTheEnvironmentNorTheCommandIsEverLogged() {
        fake.nextTask(Script.runsUntilStopped(List.of()));
        fake.throttle("RunTask", 1);
        fake.throttle("DescribeTasks", 1);
        RecordingListener listener = new RecordingListener();
        EcsLaunch denied = new EcsLaunch(UUID.randomUUID().toString(), List.of("terraform", "plan", "-input=false"),
                Map.of("TF_VAR_token", SECRET), Duration.ofHours(1));
        List<String> logged;
        try (LogCapture capture = new LogCapture("dev.portcullis.executor.backend.ecs", "software.amazon.awssdk")) {
            EcsTaskRunner runner = runner();
            runner.start(launch, listener);
            listener.awaitStatus("RUNNING");
            runner.cancel(runId, "cancelled");
            listener.awaitFinished();
            fake.deny("RunTask");
            assertThrows(EcsTaskException.class, () -> runner.start(denied, new RecordingListener()));
            logged = capture.rendered();
        }

        assertTrue(logged.stream().anyMatch(line -> line.contains("ecs.task_launched")), "the capture saw the run");
        assertEquals(List.of(), logged.stream().filter(line -> line.contains(SECRET) || line.contains("-input=false")).toList());
    }

    @Test
    void aRunnerThatIsClosedRefusesToStart() {
        EcsTaskRunner runner = runner();

        runner.close();

        assertThrows(IllegalStateException.class, () -> runner.start(launch, new RecordingListener()));
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
