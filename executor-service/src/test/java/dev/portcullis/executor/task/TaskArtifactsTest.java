package dev.portcullis.executor.task;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.secret.SecretSource;
import dev.portcullis.executor.secret.TaskSecrets;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plan task's artifact is stored with its digest; an apply gets exactly that artifact or does not run. */
class TaskArtifactsTest {
    private static final String PLAN = "plan content for stage/app\n";
    private static final SecretSource NO_SECRETS = grants -> TaskSecrets.none();

    @TempDir
    Path dir;

    private GitRepository repo;
    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private LocalArtifactStore store;
    private TaskService tasks;

    @BeforeEach
    void start() throws Exception {
        repo = GitRepository.create(dir);
        store = new LocalArtifactStore(dir.resolve("artifacts"));
        tasks = new TaskService(new LocalProcessTaskBackend(dir.resolve("work/tasks"), 2), NO_SECRETS, store, audit,
                Clock.systemUTC(), dir.resolve("work"), 1000, TaskStores.embedded(dir.resolve("work")));
    }

    @AfterEach
    void stop() {
        tasks.close();
    }

    private TaskSpec spec(TaskArtifacts artifacts, String... argv) {
        return new TaskSpec(RunId.random(), repo.path().toString(), new CommitSha(repo.commit()), RepoFolder.parse("stage/app"),
                "stage", List.of(argv), Duration.ofSeconds(30), artifacts);
    }

    private Task awaitEnd(RunId runId) throws Exception {
        await("the task ending").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertTrue(tasks.exhausted(runId, tasks.eventCount(runId)), "the task did not end"));
        return tasks.get(runId);
    }

    private List<String> output(RunId runId) {
        List<String> lines = new ArrayList<>();
        for (TaskEvent event : tasks.events(runId, 0, 10_000)) {
            if (event instanceof TaskEvent.Line line && line.stream() == TaskEvent.Stream.STDOUT) {
                lines.add(line.text());
            }
        }
        return lines;
    }

    private boolean everRan(RunId runId) {
        return tasks.events(runId, 0, 10_000).stream()
                .anyMatch(e -> e instanceof TaskEvent.StateChanged s && s.task().state() == TaskState.RUNNING);
    }

    private Task plan() throws Exception {
        TaskSpec plan = spec(TaskArtifacts.NONE.producing(new ArtifactPath("plan.tfplan")),
                "sh", "-c", "printf '" + PLAN.replace("\n", "\\n") + "' > plan.tfplan");
        tasks.start(plan, List.of());
        return awaitEnd(plan.runId());
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes()));
    }

    @Test
    void aPlanTaskReportsTheDigestOfTheFileItWrote() throws Exception {
        Task plan = plan();

        assertEquals(TaskState.SUCCEEDED, plan.state(), plan.stopReason());
        ArtifactRef artifact = plan.artifact().orElseThrow();
        assertEquals(new Sha256Digest(sha256(PLAN)), artifact.sha256());
        assertEquals(PLAN.length(), artifact.sizeBytes());
        assertEquals(plan.runId(), store.locate(artifact.uri()).orElseThrow().runId());
        assertTrue(audit.events().stream().anyMatch(e -> e.action() == AuditAction.TASK_FINISHED
                && artifact.sha256().value().equals(e.attributes().get("artifact_sha256"))));
    }

    @Test
    void anApplyRunsWithThePlanInItsFolder() throws Exception {
        ArtifactRef artifact = plan().artifact().orElseThrow();
        TaskSpec apply = spec(TaskArtifacts.NONE.applying(artifact), "cat", "plan.tfplan");

        tasks.start(apply, List.of());

        assertEquals(TaskState.SUCCEEDED, awaitEnd(apply.runId()).state());
        assertEquals(List.of("plan content for stage/app"), output(apply.runId()));
    }

    @Test
    void anApplyWhosePlanDigestDiffersNeverRunsAndIsAudited() throws Exception {
        ArtifactRef artifact = plan().artifact().orElseThrow();
        ArtifactRef approvedOther = new ArtifactRef(artifact.uri(), new Sha256Digest(sha256("another plan\n")), artifact.sizeBytes());
        TaskSpec apply = spec(TaskArtifacts.NONE.applying(approvedOther), "sh", "-c", "echo applied");

        Task task = tasks.start(apply, List.of());

        assertEquals(TaskState.FAILED, task.state());
        assertEquals(TaskFailure.PLAN_DIGEST_MISMATCH, task.failure());
        assertTrue(task.stopReason().startsWith("PLAN_DIGEST_MISMATCH"), task.stopReason());
        assertFalse(everRan(apply.runId()));
        assertEquals(List.of(), output(apply.runId()));
        assertTrue(audit.events().stream().anyMatch(e -> e.action() == AuditAction.TASK_FINISHED
                && e.reason().equals("PLAN_DIGEST_MISMATCH")
                && approvedOther.sha256().value().equals(e.attributes().get("expected_digest"))));
    }

    @Test
    void aPlanChangedInTheStoreAfterApprovalIsRefused() throws Exception {
        ArtifactRef artifact = plan().artifact().orElseThrow();
        Files.writeString(Path.of(java.net.URI.create(artifact.uri())), "plan content for prod/app\n");
        TaskSpec apply = spec(TaskArtifacts.NONE.applying(artifact), "sh", "-c", "echo applied");

        Task task = tasks.start(apply, List.of());

        assertEquals(TaskFailure.PLAN_DIGEST_MISMATCH, task.failure());
        assertFalse(everRan(apply.runId()));
    }

    @Test
    void aPlanFromOutsideTheStoreIsAnInvalidRequest() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("evil.tfplan"), PLAN);
        ArtifactRef foreign = new ArtifactRef(elsewhere.toUri().toString(), new Sha256Digest(sha256(PLAN)), PLAN.length());
        TaskSpec apply = spec(TaskArtifacts.NONE.applying(foreign), "true");

        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> tasks.start(apply, List.of()));

        assertEquals("task.plan_artifact.uri", e.violations().get(0).field());
    }

    @Test
    void aPlanThatDidNotWriteItsFileFails() throws Exception {
        TaskSpec plan = spec(TaskArtifacts.NONE.producing(new ArtifactPath("plan.tfplan")), "true");

        tasks.start(plan, List.of());

        Task task = awaitEnd(plan.runId());
        assertEquals(TaskState.FAILED, task.state());
        assertEquals(TaskFailure.ARTIFACT_MISSING, task.failure());
        assertEquals("the command succeeded but did not write the artifact 'plan.tfplan'", task.stopReason());
        assertTrue(task.artifact().isEmpty());
    }

    @Test
    void anArtifactThatIsALinkOutOfTheCheckoutIsRefused() throws Exception {
        Path outside = Files.writeString(dir.resolve("host-secret.txt"), "not for the plan\n");
        TaskSpec plan = spec(TaskArtifacts.NONE.producing(new ArtifactPath("plan.tfplan")), "ln", "-s", outside.toString(),
                "plan.tfplan");

        tasks.start(plan, List.of());

        Task task = awaitEnd(plan.runId());
        assertEquals(TaskFailure.ARTIFACT_MISSING, task.failure());
        assertEquals("the artifact 'plan.tfplan' leads outside the checkout", task.stopReason());
        assertFalse(Files.exists(dir.resolve("artifacts").resolve(plan.runId().value())));
    }

    @Test
    void anApplyRefusesToOverwriteAFileTheCheckoutAlreadyHasAtThePlansPath() throws Exception {
        ArtifactRef artifact = new LocalArtifactStore(dir.resolve("artifacts")).put(
                new dev.portcullis.executor.artifact.ArtifactLocation(RunId.random(), new ArtifactPath("main.tf")),
                Files.writeString(dir.resolve("main.tf"), PLAN));
        TaskSpec apply = spec(TaskArtifacts.NONE.applying(artifact), "sh", "-c", "echo applied");

        tasks.start(apply, List.of());

        Task task = awaitEnd(apply.runId());
        assertEquals(TaskFailure.PLAN_UNAVAILABLE, task.failure());
        assertFalse(everRan(apply.runId()));
    }
}
