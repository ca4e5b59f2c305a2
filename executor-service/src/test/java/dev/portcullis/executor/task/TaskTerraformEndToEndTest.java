package dev.portcullis.executor.task;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.plan.ChangeCounts;
import dev.portcullis.executor.plan.PlanSummary;
import dev.portcullis.executor.plan.PlanSummaryJson;
import dev.portcullis.executor.plan.PlanTool;
import dev.portcullis.executor.plan.ResourceChange;
import dev.portcullis.executor.secret.NoSecretSource;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plan task with the real terraform, offline (built-in {@code terraform_data}, a local backend
 * whose state lies outside the checkout): init, plan -detailed-exitcode, then the summary the
 * executor derives from {@code terraform show -json}. Skipped when no terraform is where the local
 * backend looks for programs, except under CI=true, where that fails the build.
 */
class TaskTerraformEndToEndTest {
    /** The local backend's PATH. */
    private static final List<String> TASK_PATH = List.of("/usr/local/bin", "/usr/bin", "/bin");
    private static final String SENSITIVE = "e2e-sensitive-value-91c4";
    private static final Map<String, String> ENV = Map.of("TF_CLI_CONFIG_FILE", "/dev/null", "TF_IN_AUTOMATION", "1",
            "TF_INPUT", "0", "CHECKPOINT_DISABLE", "1");

    @TempDir
    Path dir;

    private final RecordingAuditRecorder audit = new RecordingAuditRecorder();
    private TaskService tasks;
    private String repoPath;
    private String commit;

    @BeforeEach
    void start() throws Exception {
        requireTerraform();
        Path repo = dir.resolve("repo");
        Files.createDirectories(repo.resolve("stage/app"));
        Files.writeString(repo.resolve("stage/app/main.tf"), """
                terraform {
                  backend "local" {
                    path = "%s"
                  }
                }
                variable "token" {
                  type      = string
                  sensitive = true
                  default   = "%s"
                }
                resource "terraform_data" "app" {
                  input = var.token
                }
                resource "terraform_data" "db" {
                  input = "engine-15"
                }
                """.formatted(dir.resolve("state/terraform.tfstate"), SENSITIVE));
        git(repo, "init", "-q");
        git(repo, "add", ".");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "two resources");
        Process head = new ProcessBuilder("git", "rev-parse", "HEAD").directory(repo.toFile()).start();
        commit = new String(head.getInputStream().readAllBytes()).trim();
        head.waitFor();
        repoPath = repo.toString();
        tasks = new TaskService(new LocalProcessTaskBackend(dir.resolve("work/tasks"), 1), new NoSecretSource(),
                new LocalArtifactStore(dir.resolve("artifacts")), audit, Clock.systemUTC(), dir.resolve("work"), 10_000,
                TaskStores.embedded(dir.resolve("work")));
    }

    @AfterEach
    void stop() {
        if (tasks != null) {
            tasks.close();
        }
    }

    @Test
    void aRealPlanSucceedsWithASummaryOfTwoToCreateAndNoValueInTheLog() throws Exception {
        TaskSpec spec = plan(new TaskStep(List.of("terraform", "plan", "-input=false", "-no-color", "-out=plan.tfplan",
                "-detailed-exitcode"), true));

        tasks.start(spec, List.of());

        Task task = awaitEnd(spec.runId());
        assertEquals(TaskState.SUCCEEDED, task.state(), task.stopReason() + log(spec.runId()));
        PlanSummary summary = task.planSummary().orElseThrow().summary();
        assertEquals(PlanTool.TERRAFORM, task.planSummary().get().tool());
        assertEquals(new ChangeCounts(2, 0, 0, 0, 0, 0, 0, 0, 0), summary.counts());
        assertEquals(List.of("terraform_data.app", "terraform_data.db"),
                summary.changes().stream().map(ResourceChange::address).toList());
        assertTrue(summary.render().startsWith("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete.\n"));
        assertTrue(task.artifact().isPresent());
        assertFalse(log(spec.runId()).contains(SENSITIVE), "a value reached the log");
        assertFalse(PlanSummaryJson.write(summary).contains(SENSITIVE) || summary.render().contains(SENSITIVE));
        assertTrue(log(spec.runId()).contains("step 2/2 exited with 2: the plan has changes"), log(spec.runId()));
        assertEquals(List.of(), jsonFilesUnder(dir.resolve("work")), "the plan JSON is gone");
        AuditEvent finished = audit.events().stream().filter(e -> e.action() == AuditAction.TASK_FINISHED).findFirst()
                .orElseThrow();
        assertEquals("2", finished.attributes().get("plan_create"));
        assertFalse(finished.attributes().toString().contains(SENSITIVE));
    }

    @Test
    void aShowThatCannotReadThePlanFailsTheTaskWithThePlanSummaryUnavailable() throws Exception {
        TaskSpec spec = plan(TaskStep.of(List.of("sh", "-c", "echo not-a-plan > plan.tfplan")));

        tasks.start(spec, List.of());

        Task task = awaitEnd(spec.runId());
        assertEquals(TaskState.FAILED, task.state());
        assertEquals(TaskFailure.PLAN_SUMMARY_UNAVAILABLE, task.failure());
        assertEquals("PLAN_SUMMARY_UNAVAILABLE: terraform show -json exited with 1", task.stopReason());
        assertEquals(Optional.empty(), task.planSummary());
    }

    private TaskSpec plan(TaskStep planStep) {
        return new TaskSpec(RunId.random(), repoPath, new CommitSha(commit), RepoFolder.parse("stage/app"), "stage",
                List.of(TaskStep.of(List.of("terraform", "init", "-input=false", "-no-color")), planStep), ENV,
                Duration.ofMinutes(3), TaskArtifacts.NONE.producing(new ArtifactPath("plan.tfplan")).summarisedBy(PlanTool.TERRAFORM),
                "");
    }

    private Task awaitEnd(RunId runId) {
        await("the task ending").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertTrue(tasks.get(runId).state().isFinal() && tasks.exhausted(runId, tasks.eventCount(runId))));
        return tasks.get(runId);
    }

    private String log(RunId runId) {
        List<String> lines = new ArrayList<>();
        tasks.events(runId, 0, 100_000).forEach(event -> {
            if (event instanceof TaskEvent.Line line) {
                lines.add(line.stream() + " " + line.text());
            }
        });
        return String.join("\n", lines);
    }

    private static void requireTerraform() {
        boolean found = TASK_PATH.stream().map(d -> Path.of(d, "terraform")).anyMatch(Files::isExecutable);
        if (!found && "true".equals(System.getenv("CI"))) {
            fail("terraform is not in " + TASK_PATH + ", and CI=true requires this test to run");
        }
        Assumptions.assumeTrue(found, "terraform is not in " + TASK_PATH + " (the local backend's PATH); skipping");
    }

    private static void git(Path in, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertEquals(0, process.waitFor());
    }

    /** The JSON files under {@code root}; the executor removes a task's checkout as it ends, so files may vanish meanwhile. */
    private static List<Path> jsonFilesUnder(Path root) throws java.io.IOException {
        List<Path> found = new java.util.ArrayList<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attributes) {
                if (file.getFileName().toString().endsWith(".json")) {
                    found.add(file);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, java.io.IOException failure) throws java.io.IOException {
                if (failure instanceof java.nio.file.NoSuchFileException) {
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
                throw failure;
            }
        });
        return found;
    }
}
