package dev.portcullis.executor.backend.ecs;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.ArtifactHandoff;
import dev.portcullis.executor.artifact.ArtifactLocation;
import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.artifact.ArtifactStore;
import dev.portcullis.executor.artifact.ArtifactsConfig;
import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.artifact.s3.S3ArtifactStore;
import dev.portcullis.executor.artifact.s3.S3Clients;
import dev.portcullis.runtime.testing.S3Fake;
import dev.portcullis.executor.backend.ecs.EcsFake.Script;
import dev.portcullis.executor.plan.PlanTool;
import dev.portcullis.executor.secret.SecretSource;
import dev.portcullis.executor.secret.TaskSecrets;
import dev.portcullis.executor.task.Task;
import dev.portcullis.executor.task.TaskArtifacts;
import dev.portcullis.executor.task.TaskBackend;
import dev.portcullis.executor.task.TaskEvent;
import dev.portcullis.executor.task.TaskFailure;
import dev.portcullis.executor.task.TaskService;
import dev.portcullis.executor.task.TaskSpec;
import dev.portcullis.executor.task.TaskState;
import dev.portcullis.executor.task.TaskStep;
import dev.portcullis.executor.task.TaskStores;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;

/** The task service over the ECS backend, through the real AWS SDK against {@link EcsFake} on loopback. */
class EcsTaskBackendTest {
    private static final String SECRET = "s3cr3t-database-password";
    private static final SecretSource ONE_SECRET = grants -> TaskSecrets.of(
            grants.isEmpty() ? Map.of() : Map.of("DB_PASSWORD", SECRET),
            grants.isEmpty() ? Map.of() : Map.of("secret/data/prod/app#DB_PASSWORD", SECRET));
    private static final List<SecretGrant> GRANTS = List.of(SecretGrant.parse("kv:secret/data/prod/app"));

    @TempDir
    Path dir;

    private static final String BUCKET = "portcullis-artifacts";
    private static final String PREFIX = "portcullis/artifacts/";

    private S3Fake s3;
    private EcsFake fake = EcsFake.start(EcsTaskRunnerTest.CLUSTER, EcsTaskRunnerTest.LOG_GROUP, EcsTaskRunnerTest.STREAM_PREFIX);
    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final TaskSpec spec = new TaskSpec(RunId.random(), "https://github.com/acme/infra-live.git",
            new CommitSha("0123456789abcdef0123456789abcdef01234567"), RepoFolder.parse("stage/app"), "stage",
            List.of("terraform", "apply", "-input=false"), Duration.ofHours(1));

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        fake.close();
    }

    private TaskService service() {
        return service(new LocalArtifactStore(dir.resolve("artifacts")), ArtifactHandoff.unsupported());
    }

    private TaskService service(ArtifactStore artifacts, ArtifactHandoff handoff) {
        EcsConfig config = new EcsConfig(EcsTaskRunnerTest.CLUSTER, "portcullis-task:7", "runner",
                List.of("subnet-0123456789abcdef0"), List.of("sg-0123456789abcdef0"), EcsFake.REGION,
                EcsTaskRunnerTest.LOG_GROUP, EcsTaskRunnerTest.STREAM_PREFIX, Duration.ofMillis(2), Duration.ofMillis(20),
                fake.endpoint().toString());
        EcsClient ecs = EcsSdkClients.ecs(config, EcsTaskRunnerTest.TEST_CREDENTIALS);
        CloudWatchLogsClient logs = EcsSdkClients.logs(config, EcsTaskRunnerTest.TEST_CREDENTIALS);
        closeables.add(ecs);
        closeables.add(logs);
        TaskService service = new TaskService(new EcsTaskBackend(new EcsTaskRunner(config, ecs, logs, Clock.systemUTC())),
                ONE_SECRET, artifacts, handoff, audit, Clock.systemUTC(), dir.resolve("executor"), 100,
                TaskStores.embedded(dir.resolve("executor")));
        closeables.add(service);
        return service;
    }

    private static void awaitTask(TaskService tasks, RunId runId, Predicate<TaskService> done) throws Exception {
        await("the task").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertTrue(done.test(tasks), () -> "timed out; task is " + tasks.get(runId).state()));
    }

    private static List<String> stdout(TaskService tasks, RunId runId) {
        return tasks.events(runId, 0, 10_000).stream()
                .filter(e -> e instanceof TaskEvent.Line l && l.stream() == TaskEvent.Stream.STDOUT)
                .map(e -> ((TaskEvent.Line) e).text()).toList();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aTaskRunsOnEcsWithItsSecretsAndCoordinatesAndItsLogIsRedacted() throws Exception {
        fake.nextTask(Script.exits(0, List.of("Plan: 1 to add", "token=" + SECRET)));
        TaskService tasks = service();

        tasks.start(spec, GRANTS);

        awaitTask(tasks, spec.runId(), t -> t.exhausted(spec.runId(), t.eventCount(spec.runId())));
        Task task = tasks.get(spec.runId());
        assertEquals(TaskState.SUCCEEDED, task.state());
        assertEquals(TaskBackend.Kind.ECS, task.backend());
        assertTrue(task.backendRef().startsWith("arn:aws:ecs:"), task.backendRef());
        assertEquals(List.of("Plan: 1 to add", "token=[REDACTED]"), stdout(tasks, spec.runId()));
        Map<String, Object> overrides = (Map<String, Object>) ((List<Object>) ((Map<String, Object>)
                fake.requests("RunTask").get(0).body().get("overrides")).get("containerOverrides")).get(0);
        assertEquals(List.of("terraform", "apply", "-input=false"), overrides.get("command"));
        List<Map<String, String>> environment = (List<Map<String, String>>) overrides.get("environment");
        assertTrue(environment.contains(Map.of("name", "DB_PASSWORD", "value", SECRET)));
        assertTrue(environment.contains(Map.of("name", "PORTCULLIS_COMMIT_SHA", "value", spec.commit().value())));
        assertTrue(environment.contains(Map.of("name", "PORTCULLIS_FOLDER", "value", "stage/app")));
    }

    @Test
    void aNonZeroExitFailsTheTaskWithItsExitCode() throws Exception {
        fake.nextTask(Script.exits(3, List.of("Error: boom")));
        TaskService tasks = service();

        tasks.start(spec, List.of());

        awaitTask(tasks, spec.runId(), t -> t.get(spec.runId()).state().isFinal());
        Task task = tasks.get(spec.runId());
        assertEquals(TaskState.FAILED, task.state());
        assertEquals(3, task.exitCode().orElseThrow());
        assertEquals("the command exited with 3", task.stopReason());
    }

    @Test
    void cancelStopsTheEcsTask() throws Exception {
        fake.nextTask(Script.runsUntilStopped(List.of("Applying...")));
        TaskService tasks = service();
        tasks.start(spec, List.of());
        awaitTask(tasks, spec.runId(), t -> t.get(spec.runId()).state() == TaskState.RUNNING);

        tasks.cancel(spec.runId(), "operator asked");

        awaitTask(tasks, spec.runId(), t -> t.get(spec.runId()).state().isFinal());
        assertEquals(TaskState.CANCELLED, tasks.get(spec.runId()).state());
        assertEquals("operator asked", fake.requests("StopTask").get(0).body().get("reason"));
    }

    @Test
    void aRestartedExecutorFollowsTheRunningTaskAgainWithoutRelaunchingOrRepeatingLines() throws Exception {
        fake.nextTask(Script.runsUntilStopped(List.of("line 1", "line 2 " + SECRET, "line 3")));
        TaskService first = service();
        first.start(spec, GRANTS);
        awaitTask(first, spec.runId(), t -> stdout(t, spec.runId()).size() == 3);
        String taskArn = first.get(spec.runId()).backendRef();
        first.close();

        TaskService second = service();
        fake.appendLogs(taskArn, List.of("Apply complete!"));
        fake.finish(taskArn, 0);

        awaitTask(second, spec.runId(), t -> t.exhausted(spec.runId(), t.eventCount(spec.runId())));
        assertEquals(TaskState.SUCCEEDED, second.get(spec.runId()).state());
        assertEquals(List.of("line 1", "line 2 [REDACTED]", "line 3", "Apply complete!"), stdout(second, spec.runId()));
        assertEquals(1, fake.calls("RunTask"));
        assertEquals(second.get(spec.runId()), second.start(spec, GRANTS));
        assertEquals(1, fake.calls("RunTask"));
    }

    @Test
    void aTaskEcsNoLongerKnowsAfterARestartFailsAndIsNotStartedAgain() throws Exception {
        fake.nextTask(Script.runsUntilStopped(List.of("line 1")));
        TaskService first = service();
        first.start(spec, List.of());
        awaitTask(first, spec.runId(), t -> stdout(t, spec.runId()).size() == 1);
        first.close();
        fake.close();
        fake = EcsFake.start(EcsTaskRunnerTest.CLUSTER, EcsTaskRunnerTest.LOG_GROUP, EcsTaskRunnerTest.STREAM_PREFIX);

        TaskService second = service();

        awaitTask(second, spec.runId(), t -> t.get(spec.runId()).state().isFinal());
        Task task = second.get(spec.runId());
        assertEquals(TaskFailure.TASK_LOST, task.failure());
        assertEquals(0, fake.calls("RunTask"));
        assertEquals(List.of("line 1"), stdout(second, spec.runId()));
    }

    @Test
    void withoutAStoreThatCanHandArtifactsOutAPlanTaskIsRefusedBeforeAnythingIsLaunched() throws Exception {
        TaskService tasks = service();
        TaskSpec plan = planSpec();

        tasks.start(plan, List.of());

        awaitTask(tasks, plan.runId(), t -> t.get(plan.runId()).state().isFinal());
        assertEquals(TaskState.FAILED, tasks.get(plan.runId()).state());
        assertEquals(TaskFailure.ARTIFACT_UNAVAILABLE, tasks.get(plan.runId()).failure());
        assertFalse(tasks.get(plan.runId()).artifact().isPresent());
        assertEquals(0, fake.calls("RunTask"));
    }

    @Test
    void aPlanTasksUploadBecomesItsArtifactWithTheDigestTheExecutorComputedAndItsUrlIsRedacted() throws Exception {
        S3ArtifactStore store = s3Store();
        fake.nextTask(Script.runsUntilStopped(List.of("planning")));
        TaskService tasks = service(store, store);
        TaskSpec plan = planSpec();
        tasks.start(plan, List.of());
        awaitTask(tasks, plan.runId(), t -> t.get(plan.runId()).state() == TaskState.RUNNING);
        Map<String, String> environment = launchEnvironment();
        String putUrl = environment.get("PORTCULLIS_ARTIFACT_PUT_URL");
        String signature = putUrl.replaceFirst(".*X-Amz-Signature=([0-9a-f]{64}).*", "$1");

        assertEquals(200, upload(putUrl, "the plan"));
        String taskArn = tasks.get(plan.runId()).backendRef();
        fake.appendLogs(taskArn, List.of("uploading to " + putUrl, "signature " + signature,
                "portcullis-runner: artifact sha256=" + "0".repeat(64) + " size=1"));
        fake.finish(taskArn, 0);

        awaitTask(tasks, plan.runId(), t -> t.exhausted(plan.runId(), t.eventCount(plan.runId())));
        Task task = tasks.get(plan.runId());
        assertEquals(TaskState.SUCCEEDED, task.state(), task.stopReason());
        assertEquals("plan.tfplan", environment.get("PORTCULLIS_ARTIFACT_PATH"));
        assertTrue(putUrl.startsWith(s3.endpoint() + "/" + BUCKET + "/" + PREFIX + plan.runId().value() + "/plan.tfplan?"), putUrl);
        assertFalse(environment.containsKey("PORTCULLIS_PLAN_GET_URL"));
        ArtifactRef artifact = task.artifact().orElseThrow();
        assertEquals("s3://" + BUCKET + "/" + PREFIX + plan.runId().value() + "/plan.tfplan", artifact.uri());
        assertEquals(new Sha256Digest(sha256("the plan")), artifact.sha256());
        assertEquals(8, artifact.sizeBytes());
        List<String> log = stdout(tasks, plan.runId());
        assertEquals(List.of("planning", "uploading to [REDACTED]", "signature [REDACTED]"), log.subList(0, 3));
        assertTrue(tasks.events(plan.runId(), 0, 10_000).stream().noneMatch(e -> e.toString().contains(signature)));
    }

    @Test
    void aPlanTaskThatUploadedNothingFailsWithTheArtifactMissing() throws Exception {
        S3ArtifactStore store = s3Store();
        fake.nextTask(Script.exits(0, List.of("portcullis-runner: artifact sha256=" + sha256("the plan") + " size=8")));
        TaskService tasks = service(store, store);
        TaskSpec plan = planSpec();

        tasks.start(plan, List.of());

        awaitTask(tasks, plan.runId(), t -> t.get(plan.runId()).state().isFinal());
        Task task = tasks.get(plan.runId());
        assertEquals(TaskState.FAILED, task.state());
        assertEquals(TaskFailure.ARTIFACT_MISSING, task.failure());
        assertFalse(task.artifact().isPresent());
        assertEquals(1, fake.calls("RunTask"));
    }

    @Test
    void anApplyGetsADownloadUrlOfThePlanWithItsApprovedDigest() throws Exception {
        S3ArtifactStore store = s3Store();
        ArtifactRef stored = storedPlan(store, "the approved plan");
        fake.nextTask(Script.exits(0, List.of("Apply complete!")));
        TaskService tasks = service(store, store);
        TaskSpec apply = applySpec(stored);

        tasks.start(apply, List.of());

        awaitTask(tasks, apply.runId(), t -> t.get(apply.runId()).state().isFinal());
        assertEquals(TaskState.SUCCEEDED, tasks.get(apply.runId()).state(), tasks.get(apply.runId()).stopReason());
        Map<String, String> environment = launchEnvironment();
        assertEquals("plan.tfplan", environment.get("PORTCULLIS_PLAN_PATH"));
        assertEquals(stored.sha256().value(), environment.get("PORTCULLIS_PLAN_SHA256"));
        HttpResponse<String> download = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(environment.get("PORTCULLIS_PLAN_GET_URL"))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("the approved plan", download.body());
        assertFalse(environment.containsKey("PORTCULLIS_ARTIFACT_PUT_URL"));
    }

    @Test
    void anApplyWhoseStoredPlanDiffersFromTheApprovedDigestIsRefusedBeforeLaunch() throws Exception {
        S3ArtifactStore store = s3Store();
        ArtifactRef approved = storedPlan(store, "the approved plan");
        s3.tamper(approved.uri().substring(("s3://" + BUCKET + "/").length()), "a different plan".getBytes(StandardCharsets.UTF_8));
        TaskService tasks = service(store, store);
        TaskSpec apply = applySpec(approved);

        tasks.start(apply, List.of());

        awaitTask(tasks, apply.runId(), t -> t.get(apply.runId()).state().isFinal());
        Task task = tasks.get(apply.runId());
        assertEquals(TaskState.FAILED, task.state());
        assertEquals(TaskFailure.PLAN_DIGEST_MISMATCH, task.failure());
        assertEquals(0, fake.calls("RunTask"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aTaskOfSeveralStepsSendsEveryArgvInTheCommandTheirCountsAndTheCommandsEnv() throws Exception {
        fake.nextTask(Script.exits(0, List.of("done")));
        TaskService tasks = service();
        TaskSpec steps = new TaskSpec(RunId.random(), spec.repoUrl(), spec.commit(), spec.folder(), "stage",
                List.of(TaskStep.of(List.of("terraform", "init", "-input=false")),
                        new TaskStep(List.of("terraform", "plan", "-detailed-exitcode"), true)),
                Map.of("TF_IN_AUTOMATION", "1"), spec.timeout(), TaskArtifacts.NONE, "");

        tasks.start(steps, List.of());

        awaitTask(tasks, steps.runId(), t -> t.get(steps.runId()).state().isFinal());
        assertEquals(TaskState.SUCCEEDED, tasks.get(steps.runId()).state());
        Map<String, Object> overrides = (Map<String, Object>) ((List<Object>) ((Map<String, Object>)
                fake.requests("RunTask").get(0).body().get("overrides")).get("containerOverrides")).get(0);
        assertEquals(List.of("terraform", "init", "-input=false", "terraform", "plan", "-detailed-exitcode"),
                overrides.get("command"));
        assertEquals("3,3d", launchEnvironment().get("PORTCULLIS_STEPS"));
        assertEquals("1", launchEnvironment().get("TF_IN_AUTOMATION"));
    }

    @Test
    void aTaskWhoseOverridesExceedWhatEcsAllowsFailsBeforeLaunchSayingHowLarge() throws Exception {
        TaskService tasks = service();
        TaskSpec large = new TaskSpec(RunId.random(), spec.repoUrl(), spec.commit(), spec.folder(), "stage", spec.steps(),
                Map.of("TF_VAR_A", "a".repeat(4000), "TF_VAR_B", "b".repeat(4000), "TF_VAR_C", "c".repeat(4000)),
                spec.timeout(), TaskArtifacts.NONE, "");

        tasks.start(large, List.of());

        awaitTask(tasks, large.runId(), t -> t.get(large.runId()).state().isFinal());
        Task task = tasks.get(large.runId());
        assertEquals(TaskState.FAILED, task.state());
        assertTrue(task.stopReason().matches("the ECS task could not be launched: the task's command and environment take "
                + "1[0-9]{4} characters of ECS overrides, more than the 8192 ECS allows .*"), task.stopReason());
        assertEquals(0, fake.calls("RunTask"));
    }

    @Test
    void aPlanTasksUploadedPlanJsonBecomesItsSummaryAndIsDeleted() throws Exception {
        S3ArtifactStore store = s3Store();
        fake.nextTask(Script.runsUntilStopped(List.of("planning")));
        TaskService tasks = service(store, store);
        TaskSpec plan = summarisedPlanSpec();
        tasks.start(plan, List.of());
        awaitTask(tasks, plan.runId(), t -> t.get(plan.runId()).state() == TaskState.RUNNING);
        Map<String, String> environment = launchEnvironment();

        assertEquals(200, upload(environment.get("PORTCULLIS_ARTIFACT_PUT_URL"), "the plan"));
        assertEquals(200, upload(environment.get("PORTCULLIS_PLAN_JSON_PUT_URL"), fixture("create")));
        fake.finish(tasks.get(plan.runId()).backendRef(), 0);

        awaitTask(tasks, plan.runId(), t -> t.exhausted(plan.runId(), t.eventCount(plan.runId())));
        Task task = tasks.get(plan.runId());
        assertEquals(TaskState.SUCCEEDED, task.state(), task.stopReason());
        assertEquals("terraform", environment.get("PORTCULLIS_PLAN_SUMMARY_TOOL"));
        assertEquals(2, task.planSummary().orElseThrow().summary().counts().create());
        assertEquals(null, s3.object(PREFIX + plan.runId().value() + "/.portcullis/plan-show.json"));
        assertTrue(s3.requests().contains("DELETE /" + BUCKET + "/" + PREFIX + plan.runId().value() + "/.portcullis/plan-show.json"));
    }

    @Test
    void aPlanTaskThatUploadedNoPlanJsonFailsWithThePlanSummaryUnavailable() throws Exception {
        S3ArtifactStore store = s3Store();
        fake.nextTask(Script.runsUntilStopped(List.of("planning")));
        TaskService tasks = service(store, store);
        TaskSpec plan = summarisedPlanSpec();
        tasks.start(plan, List.of());
        awaitTask(tasks, plan.runId(), t -> t.get(plan.runId()).state() == TaskState.RUNNING);

        assertEquals(200, upload(launchEnvironment().get("PORTCULLIS_ARTIFACT_PUT_URL"), "the plan"));
        fake.finish(tasks.get(plan.runId()).backendRef(), 0);

        awaitTask(tasks, plan.runId(), t -> t.get(plan.runId()).state().isFinal());
        Task task = tasks.get(plan.runId());
        assertEquals(TaskFailure.PLAN_SUMMARY_UNAVAILABLE, task.failure());
        assertEquals("PLAN_SUMMARY_UNAVAILABLE: terraform show -json wrote no plan JSON (see the log)", task.stopReason());
        assertFalse(task.artifact().isPresent());
    }

    @Test
    void aPlanJsonUploadedByATaskThatFailedIsDeletedUnread() throws Exception {
        S3ArtifactStore store = s3Store();
        fake.nextTask(Script.runsUntilStopped(List.of("planning")));
        TaskService tasks = service(store, store);
        TaskSpec plan = summarisedPlanSpec();
        tasks.start(plan, List.of());
        awaitTask(tasks, plan.runId(), t -> t.get(plan.runId()).state() == TaskState.RUNNING);

        assertEquals(200, upload(launchEnvironment().get("PORTCULLIS_PLAN_JSON_PUT_URL"), fixture("create")));
        fake.finish(tasks.get(plan.runId()).backendRef(), 3);

        awaitTask(tasks, plan.runId(), t -> t.get(plan.runId()).state().isFinal());
        assertEquals(TaskState.FAILED, tasks.get(plan.runId()).state());
        assertEquals(null, s3.object(PREFIX + plan.runId().value() + "/.portcullis/plan-show.json"));
        assertTrue(tasks.get(plan.runId()).planSummary().isEmpty());
    }

    private TaskSpec summarisedPlanSpec() {
        return new TaskSpec(RunId.random(), spec.repoUrl(), spec.commit(), spec.folder(), "stage",
                List.of("terraform", "plan", "-out=plan.tfplan"), spec.timeout(),
                TaskArtifacts.NONE.producing(new ArtifactPath("plan.tfplan")).summarisedBy(PlanTool.TERRAFORM));
    }

    private static String fixture(String name) throws Exception {
        try (var in = EcsTaskBackendTest.class.getResourceAsStream("/dev/portcullis/executor/plan/" + name + ".json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private TaskSpec planSpec() {
        return new TaskSpec(RunId.random(), spec.repoUrl(), spec.commit(), spec.folder(), "stage",
                List.of("terraform", "plan", "-out=plan.tfplan"), spec.timeout(),
                TaskArtifacts.NONE.producing(new ArtifactPath("plan.tfplan")));
    }

    private TaskSpec applySpec(ArtifactRef plan) {
        return new TaskSpec(RunId.random(), spec.repoUrl(), spec.commit(), spec.folder(), "stage", spec.steps(), Map.of(),
                spec.timeout(), TaskArtifacts.NONE.applying(plan), "");
    }

    private S3ArtifactStore s3Store() throws Exception {
        s3 = new S3Fake(BUCKET);
        ArtifactsConfig config = new ArtifactsConfig(null, BUCKET, PREFIX, S3Fake.REGION, s3.endpoint().toString());
        S3ArtifactStore store = S3Clients.store(config, EcsTaskRunnerTest.TEST_CREDENTIALS);
        closeables.add(s3);
        closeables.add(store);
        return store;
    }

    private ArtifactRef storedPlan(S3ArtifactStore store, String content) throws Exception {
        Path file = dir.resolve("plan-" + UUID.randomUUID());
        Files.writeString(file, content);
        return store.put(new ArtifactLocation(RunId.random(), new ArtifactPath("plan.tfplan")), file);
    }

    @SuppressWarnings("unchecked")
    private Map<String, String> launchEnvironment() {
        Map<String, Object> overrides = (Map<String, Object>) ((List<Object>) ((Map<String, Object>)
                fake.requests("RunTask").get(0).body().get("overrides")).get("containerOverrides")).get(0);
        Map<String, String> environment = new HashMap<>();
        for (Map<String, String> variable : (List<Map<String, String>>) overrides.get("environment")) {
            environment.put(variable.get("name"), variable.get("value"));
        }
        return environment;
    }

    /** What the runner does after the command: one PUT with {@code If-None-Match: *}, outside the SDK. */
    private static int upload(String url, String content) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).header("If-None-Match", "*")
                .PUT(HttpRequest.BodyPublishers.ofString(content)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
