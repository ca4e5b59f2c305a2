package dev.portcullis.cli.dev;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import dev.portcullis.runtime.testing.TerraformBinary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo repository dev mode seeds: real git history, and scripts that plan into plan.out and apply it. */
class DemoRepositoryTest {
    @TempDir
    Path dir;

    @Test
    void itHasMainAndFeatureDemoWithAStageAndAProdFolder() throws Exception {
        assertTrue(DemoRepository.createIfAbsent(dir.resolve("repos")));
        Path repo = dir.resolve("repos/example");

        assertEquals("main", run(repo, "git", "rev-parse", "--abbrev-ref", "HEAD").strip());
        assertEquals(run(repo, "git", "rev-parse", "main").strip(), run(repo, "git", "rev-parse", "feature/demo~1").strip());
        assertEquals("stage/app/desired.conf", run(repo, "git", "diff", "--name-only", "main", "feature/demo").strip());
        for (String folder : List.of("stage/app", "prod/app")) {
            for (String file : List.of("plan.sh", "apply.sh", "desired.conf")) {
                assertTrue(Files.isRegularFile(repo.resolve(folder).resolve(file)), folder + "/" + file);
            }
        }
        assertEquals("", run(repo, "git", "status", "--porcelain"), "nothing left uncommitted");
        assertFalse(Files.list(dir.resolve("repos")).anyMatch(p -> p.getFileName().toString().startsWith(".example-")));
    }

    @Test
    void planWritesPlanOutAndApplyPrintsThePlanItApplies() throws Exception {
        DemoRepository.createIfAbsent(dir.resolve("repos"));
        Path checkout = dir.resolve("checkout");
        run(dir, "git", "clone", "-q", "--branch", "feature/demo", dir.resolve("repos/example").toString(), checkout.toString());
        Path folder = checkout.resolve("stage/app");

        String plan = run(folder, "sh", "plan.sh", "stage");
        String apply = run(folder, "sh", "apply.sh", "plan.out");

        assertTrue(plan.contains("demo plan for environment stage (DEMO ONLY"), plan);
        assertTrue(Files.readString(folder.resolve("plan.out")).contains("~ image = demo-app:1.1"));
        assertTrue(apply.contains("~ replicas = 2"), apply);
        assertTrue(apply.contains("Apply complete: 2 setting(s) changed."), apply);
    }

    @Test
    void withATerraformToolEachFolderHoldsTerraformConfigurationAndFeatureDemoChangesStage() throws Exception {
        DemoTool tool = new DemoTool("terraform", Path.of("/usr/local/bin/terraform"));

        assertTrue(DemoRepository.createIfAbsent(dir.resolve("repos"), Optional.of(tool)));

        Path repo = dir.resolve("repos/example");
        assertEquals("stage/app/main.tf", run(repo, "git", "diff", "--name-only", "main", "feature/demo").strip());
        assertTrue(Files.readString(repo.resolve("prod/app/main.tf")).contains("replicas = 3"));
        assertFalse(Files.exists(repo.resolve("stage/app/plan.sh")));
        assertTrue(Files.readString(repo.resolve("README.md")).contains("`terraform init`"));
        assertEquals("", run(repo, "git", "status", "--porcelain"), "nothing left uncommitted");
    }

    @Test
    void theTerraformDemoPlansForRealAndFeatureDemoUpdatesTheAppAndReplacesTheRelease() throws Exception {
        Path terraform = TerraformBinary.required();
        DemoRepository.createIfAbsent(dir.resolve("repos"), Optional.of(new DemoTool("terraform", terraform)));
        Path main = dir.resolve("main");
        Path feature = dir.resolve("feature");
        run(dir, "git", "clone", "-q", dir.resolve("repos/example").toString(), main.toString());
        run(dir, "git", "clone", "-q", "--branch", "feature/demo", dir.resolve("repos/example").toString(), feature.toString());
        String backend = "-backend-config=path=" + dir.resolve("state/stage/app/terraform.tfstate");

        run(main.resolve("stage/app"), terraform.toString(), "init", "-input=false", "-no-color", backend);
        run(main.resolve("stage/app"), terraform.toString(), "apply", "-input=false", "-no-color", "-auto-approve",
                "-var=environment=stage");
        run(feature.resolve("stage/app"), terraform.toString(), "init", "-input=false", "-no-color", backend);
        String plan = run(feature.resolve("stage/app"), terraform.toString(), "plan", "-input=false", "-no-color",
                "-var=environment=stage");

        assertTrue(plan.contains("Plan: 1 to add, 1 to change, 1 to destroy."), plan);
        assertTrue(plan.contains("terraform_data.release must be replaced"), plan);
    }

    @Test
    void anExistingRepositoryIsLeftAlone() throws Exception {
        Path repos = dir.resolve("repos");
        DemoRepository.createIfAbsent(repos);
        Path repo = repos.resolve("example");
        Files.writeString(repo.resolve("prod/app/desired.conf"), "replicas = 9\n", UTF_8);

        boolean created = DemoRepository.createIfAbsent(repos);

        assertFalse(created);
        assertEquals("replicas = 9\n", Files.readString(repo.resolve("prod/app/desired.conf")));
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("TF_CLI_CONFIG_FILE", "/dev/null");
        builder.environment().put("TF_IN_AUTOMATION", "1");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }
}
