package dev.portcullis.executor.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real terraform, offline: init, plan -out, show -json, then the summary. Skipped when
 * {@code terraform} is not on PATH, except under CI=true, where a missing terraform fails the build.
 */
class PlanTerraformEndToEndTest {
    private static final String SECRET = "e2e-sensitive-value-7f3a";
    private static final long STEP_TIMEOUT_SECONDS = 120;

    @TempDir
    Path workspace;

    @Test
    void aRealTerraformPlanIsSummarisedWithoutItsValues() throws Exception {
        Path terraform = terraformOnPath();
        Files.writeString(workspace.resolve("main.tf"), """
                terraform {
                  backend "local" {}
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
                  triggers_replace = "engine-15"
                }
                output "token" {
                  value     = var.token
                  sensitive = true
                }
                """.formatted(SECRET));
        run(terraform, "init", "-input=false", "-no-color");
        run(terraform, "plan", "-input=false", "-no-color", "-out=plan.bin");
        Path json = workspace.resolve("plan.json");
        run(json, terraform, "show", "-json", "-no-color", "plan.bin");

        PlanSummary summary;
        try (InputStream in = Files.newInputStream(json)) {
            summary = new TerraformPlanJson().summarise(in);
        }

        assertTrue(Files.readString(json).contains(SECRET), "the plan JSON should hold the value");
        assertEquals(new ChangeCounts(2, 0, 0, 0, 0, 0, 0, 0, 0), summary.counts());
        assertEquals(List.of("terraform_data.app", "terraform_data.db"),
                summary.changes().stream().map(ResourceChange::address).toList());
        assertEquals(List.of("token"), summary.changedOutputs());
        assertFalse(summary.render().contains(SECRET));
        assertFalse(PlanSummaryJson.write(summary).contains(SECRET));
    }

    private static Path terraformOnPath() {
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "terraform"))
                .filter(Files::isExecutable)
                .findFirst();
        if (found.isEmpty() && "true".equals(System.getenv("CI"))) {
            fail("terraform is not on PATH, and CI=true requires this test to run");
        }
        Assumptions.assumeTrue(found.isPresent(), "terraform is not on PATH; skipping the end-to-end plan test");
        return found.orElseThrow();
    }

    private void run(Path terraform, String... arguments) throws IOException, InterruptedException {
        run(workspace.resolve("terraform-" + arguments[0] + ".log"), terraform, arguments);
    }

    private void run(Path stdout, Path terraform, String... arguments) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(Stream.concat(Stream.of(terraform.toString()), Stream.of(arguments))
                .toList())
                .directory(workspace.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout.toFile())
                .redirectError(workspace.resolve("terraform-" + arguments[0] + ".err").toFile());
        builder.environment().put("TF_CLI_CONFIG_FILE", "/dev/null");
        builder.environment().put("TF_IN_AUTOMATION", "1");
        builder.environment().put("TF_INPUT", "0");
        builder.environment().put("CHECKPOINT_DISABLE", "1");
        Process process = builder.start();
        if (!process.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("terraform " + arguments[0] + " did not finish in " + STEP_TIMEOUT_SECONDS + "s");
        }
        if (process.exitValue() != 0) {
            fail("terraform " + arguments[0] + " exited " + process.exitValue() + ": "
                    + Files.readString(workspace.resolve("terraform-" + arguments[0] + ".err"), StandardCharsets.UTF_8));
        }
    }
}
