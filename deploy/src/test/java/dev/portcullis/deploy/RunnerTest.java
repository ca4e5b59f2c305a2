package dev.portcullis.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner script as the Fargate task runs it, against a real git repository on disk
 * ({@code file://}), with artifacts stored as files: the same code paths as S3 but the copy.
 */
class RunnerTest {
    private static final Path RUNNER = Path.of("runner", "portcullis-runner").toAbsolutePath();
    private static final String RUN_ID = "0b9e4c1a-1111-4222-8333-444455556666";
    private static final String TOKEN = "ghs_token-that-must-stay-with-git-4f2a";

    @TempDir
    Path dir;

    private Path repo;
    private String first;
    private String second;

    @BeforeEach
    void createRepository() throws Exception {
        repo = dir.resolve("repo");
        Files.createDirectories(repo.resolve("stage/net"));
        git(repo.getParent(), "init", "--quiet", repo.toString());
        Files.writeString(repo.resolve("stage/net/version.txt"), "first\n");
        git(repo, "add", ".");
        git(repo, "commit", "--quiet", "-m", "first");
        first = git(repo, "rev-parse", "HEAD").strip();
        Files.writeString(repo.resolve("stage/net/version.txt"), "second\n");
        git(repo, "commit", "--quiet", "-am", "second");
        second = git(repo, "rev-parse", "HEAD").strip();
    }

    @Test
    void runsTheArgvInTheFolderAtTheExactCommit() throws Exception {
        Result result = run(Map.of(), "sh", "-c", "pwd; cat version.txt");

        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("/checkout/stage/net\n"), result.output());
        assertTrue(result.output().contains("first\n"), result.output());
        assertFalse(result.output().contains("second\n"), result.output());
    }

    @Test
    void theCommandsExitStatusIsTheTasksExitStatus() throws Exception {
        Result result = run(Map.of(), "sh", "-c", "exit 3");

        assertEquals(3, result.exit(), result.output());
    }

    @Test
    void stepsRunInOrderInTheFolderAndTheRunSucceeds() throws Exception {
        Result result = run(Map.of("PORTCULLIS_STEPS", "3,2,3"), "sh", "-c", "echo one > mark", "cat", "mark",
                "sh", "-c", "echo two");

        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("portcullis-runner: step 1/3: sh -c echo one > mark\n"
                + "portcullis-runner: step 2/3: cat mark\none\nportcullis-runner: step 3/3: sh -c echo two\ntwo\n"),
                result.output());
    }

    @Test
    void thePluginCacheDirectoryTheCatalogNamesIsCreatedBeforeTheSteps() throws Exception {
        Path cache = dir.resolve("volume/plugin-cache");

        Result result = run(Map.of("PORTCULLIS_STEPS", "3", "TF_PLUGIN_CACHE_DIR", cache.toString()),
                "sh", "-c", "test -d \"$TF_PLUGIN_CACHE_DIR\"");

        assertEquals(0, result.exit(), result.output());
        assertTrue(java.nio.file.Files.isDirectory(cache));
    }

    @Test
    void theFirstFailingStepEndsTheRunWithItsExitCode() throws Exception {
        Result result = run(Map.of("PORTCULLIS_STEPS", "1,3,3"), "true", "sh", "-c", "exit 4", "sh", "-c", "echo never");

        assertEquals(4, result.exit(), result.output());
        assertTrue(result.output().contains("portcullis-runner: step 2/3 exited with 4"), result.output());
        assertFalse(result.output().contains("never\n"), result.output());
    }

    @Test
    void aDetailedExitcodeStepExitingTwoSucceedsAndTheNextStepRuns() throws Exception {
        Result result = run(Map.of("PORTCULLIS_STEPS", "3d,3"), "sh", "-c", "exit 2", "sh", "-c", "echo after");

        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("step 1/2 exited with 2: the plan has changes"), result.output());
        assertTrue(result.output().contains("after\n"), result.output());
    }

    @Test
    void exitCodeTwoOfAStepWithoutDetailedExitcodeFailsTheRun() throws Exception {
        Result result = run(Map.of("PORTCULLIS_STEPS", "3,3"), "sh", "-c", "exit 2", "sh", "-c", "echo after");

        assertEquals(2, result.exit(), result.output());
    }

    @Test
    void stepCountsThatDoNotAddUpToTheCommandAreRefused() throws Exception {
        Result result = run(Map.of("PORTCULLIS_STEPS", "3,2"), "sh", "-c", "echo the-command-ran");

        assertEquals(64, result.exit(), result.output());
        assertFalse(result.output().contains("the-command-ran\n"), result.output());
    }

    @Test
    void theRunnersControlsNeverReachTheSteps() throws Exception {
        Result result = run(Map.of("PORTCULLIS_STEPS", "1", "TF_IN_AUTOMATION", "1"), "env");

        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("TF_IN_AUTOMATION=1"), result.output());
        assertFalse(result.output().contains("PORTCULLIS_STEPS="), result.output());
    }

    @Test
    void thePlanJsonOfTheSummaryToolIsUploadedOnceAndNeverPrinted() throws Exception {
        Path tools = fakeTool("terraform", "[ \"$1 $2 $3\" = 'show -json plan.tfplan' ] || exit 9\n"
                + "printf '{\"format_version\":\"1.2\",\"value\":\"%s\"}' \"$TF_VAR_token\"\n");
        Path artifact = dir.resolve("store/plan.tfplan");
        Path json = dir.resolve("store/plan-show.json");

        Result result = run(Map.of("PATH", tools + ":/usr/local/bin:/usr/bin:/bin", "TF_VAR_token", "plan-value-5e1d",
                        "PORTCULLIS_ARTIFACT_PATH", "plan.tfplan", "PORTCULLIS_ARTIFACT_PUT_URL", "file://" + artifact,
                        "PORTCULLIS_PLAN_SUMMARY_TOOL", "terraform", "PORTCULLIS_PLAN_JSON_PUT_URL", "file://" + json),
                "sh", "-c", "printf 'the plan' > plan.tfplan");

        assertEquals(0, result.exit(), result.output());
        assertEquals("{\"format_version\":\"1.2\",\"value\":\"plan-value-5e1d\"}", Files.readString(json));
        assertFalse(result.output().contains("plan-value-5e1d"), result.output());
        assertFalse(Files.exists(dir.resolve("work/plan-show.json")), "the local copy of the plan JSON is removed");
        assertTrue(result.output().contains("portcullis-runner: plan JSON uploaded"), result.output());
    }

    @Test
    void aFailingShowUploadsNoPlanJsonAndLeavesTheVerdictToTheExecutor() throws Exception {
        Path tools = fakeTool("terraform", "echo 'Error: not a plan' >&2\nexit 1\n");
        Path json = dir.resolve("store/plan-show.json");

        Result result = run(Map.of("PATH", tools + ":/usr/local/bin:/usr/bin:/bin",
                        "PORTCULLIS_ARTIFACT_PATH", "plan.tfplan", "PORTCULLIS_ARTIFACT_PUT_URL", "file://" + dir.resolve("store/p"),
                        "PORTCULLIS_PLAN_SUMMARY_TOOL", "terraform", "PORTCULLIS_PLAN_JSON_PUT_URL", "file://" + json),
                "sh", "-c", "printf 'the plan' > plan.tfplan");

        assertEquals(0, result.exit(), result.output());
        assertFalse(Files.exists(json));
        assertTrue(result.output().contains("terraform show -json exited with 1; no plan JSON uploaded"), result.output());
    }

    @Test
    void aSummaryToolOtherThanTerraformOrTofuIsRefused() throws Exception {
        Result result = run(Map.of("PORTCULLIS_ARTIFACT_PATH", "plan.tfplan", "PORTCULLIS_ARTIFACT_PUT_URL", "file:///tmp/x",
                        "PORTCULLIS_PLAN_SUMMARY_TOOL", "sh", "PORTCULLIS_PLAN_JSON_PUT_URL", "file:///tmp/y"),
                "sh", "-c", "echo the-command-ran");

        assertEquals(64, result.exit(), result.output());
        assertFalse(result.output().contains("the-command-ran\n"), result.output());
    }

    /** A directory holding an executable {@code name} with the shell {@code body}: a stand-in for a tool on PATH. */
    private Path fakeTool(String name, String body) throws IOException {
        Path tools = Files.createDirectories(dir.resolve("tools"));
        Path tool = tools.resolve(name);
        Files.writeString(tool, "#!/bin/sh\n" + body);
        tool.toFile().setExecutable(true);
        return tools;
    }

    @Test
    void theGitCredentialNeverReachesTheCommandNorTheRunnersEnvironment() throws Exception {
        Result result = run(Map.of("PORTCULLIS_GIT_TOKEN", TOKEN, "RUN_SECRET", "kept-for-the-command"),
                "sh", "-c", "env; tr '\\0' '\\n' < /proc/$PPID/environ");

        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("RUN_SECRET=kept-for-the-command"), result.output());
        assertFalse(result.output().contains(TOKEN), result.output());
    }

    @Test
    void theArtifactUrlsNeverReachTheCommandsEnvironmentNorTheLog() throws Exception {
        Path stored = dir.resolve("store/plan.tfplan");

        Result result = run(Map.of("PORTCULLIS_ARTIFACT_PATH", "plan.tfplan", "PORTCULLIS_ARTIFACT_PUT_URL", "file://" + stored),
                "sh", "-c", "env; printf 'the plan' > plan.tfplan");

        assertEquals(0, result.exit(), result.output());
        assertFalse(result.output().contains("PORTCULLIS_ARTIFACT"), result.output());
        assertFalse(result.output().contains(stored.toString()), result.output());
    }

    @Test
    void theProducedArtifactIsStoredAndItsDigestIsTheLastLine() throws Exception {
        Path stored = dir.resolve("store/" + RUN_ID + "/out/plan.tfplan");

        Result result = run(Map.of("PORTCULLIS_ARTIFACT_PATH", "out/plan.tfplan", "PORTCULLIS_ARTIFACT_PUT_URL", "file://" + stored),
                "sh", "-c", "mkdir out && printf 'the plan' > out/plan.tfplan");

        assertEquals(0, result.exit(), result.output());
        assertArrayEquals("the plan".getBytes(UTF_8), Files.readAllBytes(stored));
        List<String> lines = result.output().lines().toList();
        assertEquals("portcullis-runner: artifact sha256=" + sha256("the plan") + " size=8 path=out/plan.tfplan",
                lines.get(lines.size() - 1));
    }

    @Test
    void anArtifactIsWrittenOnce() throws Exception {
        Path stored = dir.resolve("store/plan.tfplan");
        Files.createDirectories(stored.getParent());
        Files.writeString(stored, "planted earlier");

        Result result = run(Map.of("PORTCULLIS_ARTIFACT_PATH", "plan.tfplan", "PORTCULLIS_ARTIFACT_PUT_URL", "file://" + stored),
                "sh", "-c", "printf 'the plan' > plan.tfplan");

        assertEquals(68, result.exit(), result.output());
        assertEquals("planted earlier", Files.readString(stored));
    }

    @Test
    void aPlanArtifactWhoseDigestDiffersIsRefusedBeforeTheCommandRuns() throws Exception {
        Path plan = dir.resolve("plan.tfplan");
        Files.writeString(plan, "a different plan");

        Result result = run(Map.of("PORTCULLIS_PLAN_GET_URL", "file://" + plan,
                        "PORTCULLIS_PLAN_SHA256", sha256("the approved plan"),
                        "PORTCULLIS_PLAN_PATH", "plan.tfplan"),
                "sh", "-c", "echo the-command-ran");

        assertEquals(67, result.exit(), result.output());
        assertFalse(result.output().contains("the-command-ran"), result.output());
    }

    @Test
    void theApprovedPlanArtifactIsPlacedInTheFolder() throws Exception {
        Path plan = dir.resolve("plan.tfplan");
        Files.writeString(plan, "the approved plan");

        Result result = run(Map.of("PORTCULLIS_PLAN_GET_URL", "file://" + plan,
                        "PORTCULLIS_PLAN_SHA256", sha256("the approved plan"),
                        "PORTCULLIS_PLAN_PATH", "plan.tfplan"),
                "cat", "plan.tfplan");

        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("the approved plan"), result.output());
    }

    @Test
    void overHttpThePlanIsFetchedAndTheArtifactPutOnceWithIfNoneMatch() throws Exception {
        try (ObjectServer server = new ObjectServer()) {
            server.objects.put("/plan?X-Amz-Signature=" + "a".repeat(64), "the approved plan".getBytes(UTF_8));

            Result result = run(Map.of("PORTCULLIS_PLAN_GET_URL", server.url("/plan?X-Amz-Signature=" + "a".repeat(64)),
                            "PORTCULLIS_PLAN_SHA256", sha256("the approved plan"), "PORTCULLIS_PLAN_PATH", "in/plan.tfplan",
                            "PORTCULLIS_ARTIFACT_PATH", "out.bin", "PORTCULLIS_ARTIFACT_PUT_URL", server.url("/out?X-Amz-Signature=b")),
                    "sh", "-c", "cat in/plan.tfplan > out.bin");

            assertEquals(0, result.exit(), result.output());
            assertEquals(List.of("GET /plan", "PUT /out If-None-Match=*"), server.requests);
            assertArrayEquals("the approved plan".getBytes(UTF_8), server.objects.get("/out?X-Amz-Signature=b"));
            assertFalse(result.output().contains("X-Amz-Signature"), result.output());
        }
    }

    @Test
    void overHttpAnArtifactThatExistsAlreadyFailsTheUpload() throws Exception {
        try (ObjectServer server = new ObjectServer()) {
            server.objects.put("/out", "planted earlier".getBytes(UTF_8));

            Result result = run(Map.of("PORTCULLIS_ARTIFACT_PATH", "out.bin", "PORTCULLIS_ARTIFACT_PUT_URL", server.url("/out")),
                    "sh", "-c", "printf 'the plan' > out.bin");

            assertEquals(68, result.exit(), result.output());
            assertArrayEquals("planted earlier".getBytes(UTF_8), server.objects.get("/out"));
        }
    }

    @Test
    void aPlanUrlThatIsNotHttpsIsRefused() throws Exception {
        Result result = run(Map.of("PORTCULLIS_PLAN_GET_URL", "http://example.org/plan",
                        "PORTCULLIS_PLAN_SHA256", sha256("the approved plan"), "PORTCULLIS_PLAN_PATH", "plan.tfplan"),
                "sh", "-c", "echo the-command-ran");

        assertEquals(64, result.exit(), result.output());
        assertFalse(result.output().contains("the-command-ran"), result.output());
    }

    /** S3's presigned-URL behaviour on loopback, as far as the runner uses it: GET, and PUT honouring If-None-Match. */
    private static final class ObjectServer implements AutoCloseable {
        final Map<String, byte[]> objects = new java.util.concurrent.ConcurrentHashMap<>();
        final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final com.sun.net.httpserver.HttpServer server;

        ObjectServer() throws IOException {
            server = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    String key = exchange.getRequestURI().getRawPath()
                            + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
                    String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
                    requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath()
                            + (ifNoneMatch == null ? "" : " If-None-Match=" + ifNoneMatch));
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    if (exchange.getRequestMethod().equals("PUT")) {
                        boolean stored = !"*".equals(ifNoneMatch) || objects.putIfAbsent(key, body) == null;
                        if (!"*".equals(ifNoneMatch)) {
                            objects.put(key, body);
                        }
                        exchange.sendResponseHeaders(stored ? 200 : 412, -1);
                    } else if (objects.containsKey(key)) {
                        exchange.sendResponseHeaders(200, objects.get(key).length);
                        exchange.getResponseBody().write(objects.get(key));
                    } else {
                        exchange.sendResponseHeaders(404, -1);
                    }
                }
            });
            server.start();
        }

        String url(String pathAndQuery) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void aFolderLeavingTheRepositoryIsRefused() throws Exception {
        Result result = run(Map.of("PORTCULLIS_FOLDER", "stage/../../etc"), "sh", "-c", "echo the-command-ran");

        assertEquals(64, result.exit(), result.output());
        assertFalse(result.output().contains("the-command-ran"), result.output());
    }

    @Test
    void anUnknownCommitIsRefused() throws Exception {
        Result result = run(Map.of("PORTCULLIS_COMMIT_SHA", "0".repeat(40)), "sh", "-c", "echo the-command-ran");

        assertEquals(65, result.exit(), result.output());
        assertFalse(result.output().contains("the-command-ran"), result.output());
    }

    @Test
    void theImagePinsItsBaseAndToolsAndRunsTheRunnerAsNonRoot() throws IOException {
        String dockerfile = Files.readString(Path.of("runner", "Dockerfile"), UTF_8);

        assertTrue(Pattern.compile("(?m)^ARG BASE_IMAGE=[^@\\s]+@sha256:[0-9a-f]{64}$").matcher(dockerfile).find(), "base image digest");
        assertTrue(Pattern.compile("(?m)^USER 65532:65532$").matcher(dockerfile).find(), "non-root user");
        assertTrue(dockerfile.contains("ENTRYPOINT [\"/usr/local/bin/portcullis-runner\"]"), "entrypoint");
        assertTrue(Pattern.compile("(?m)^ARG TERRAFORM_VERSION=\\d+\\.\\d+\\.\\d+$").matcher(dockerfile).find(), "terraform version");
        assertTrue(dockerfile.contains("sha256sum -c"), "downloads are checked against their SHA-256");
        assertTrue(dockerfile.contains("TOFU_SHA256 is required with TOFU_VERSION"), "OpenTofu only with its checksum");
        assertTrue(dockerfile.contains("echo \"${TOFU_SHA256}  tofu.zip\" | sha256sum -c -"), "OpenTofu checked against it");
        for (String line : dockerfile.lines().filter(l -> l.contains("apt-get install")).toList()) {
            List<String> packages = List.of(line.replaceFirst(".*--no-install-recommends", "").replace("\\", "").trim().split("\\s+"));
            packages.stream().filter(p -> !p.isEmpty() && !p.startsWith("&&")).takeWhile(p -> !p.equals("&&"))
                    .forEach(p -> assertTrue(p.contains("="), "unpinned package " + p));
        }
    }

    private Result run(Map<String, String> overrides, String... argv) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("PORTCULLIS_WORK_DIR", dir.resolve("work").toString());
        env.put("PORTCULLIS_RUN_ID", RUN_ID);
        env.put("PORTCULLIS_REPO_URL", "file://" + repo);
        env.put("PORTCULLIS_COMMIT_SHA", first);
        env.put("PORTCULLIS_FOLDER", "stage/net");
        env.putAll(overrides);
        List<String> command = new ArrayList<>(List.of("bash", RUNNER.toString()));
        command.addAll(List.of(argv));
        Path output = dir.resolve("output-" + System.nanoTime());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the runner did not finish within 60s");
        }
        return new Result(process.exitValue(), Files.readString(output, UTF_8));
    }

    private static String git(Path directory, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=test", "-c", "user.email=test@example.org",
                "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        builder.environment().put("HOME", directory.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("git " + String.join(" ", arguments) + " failed: " + output);
        }
        return output;
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
    }

    private record Result(int exit, String output) {}
}
