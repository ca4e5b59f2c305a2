package dev.portcullis.cli.dev;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CommitSha;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The demo git repository {@code portcullis dev} seeds on first start, {@code DATA_DIR/repos/example}:
 * branch {@code main} with folders {@code stage/app} and {@code prod/app}, and branch
 * {@code feature/demo}, one commit ahead, changing {@code stage/app}. With a {@link DemoTool} each
 * folder holds real Terraform/OpenTofu configuration of built-in {@code terraform_data} resources
 * ({@code main.tf}); without one, a {@code desired.conf} and the demo's {@code plan.sh} and
 * {@code apply.sh}, small POSIX sh scripts that change nothing real. Made with the git command
 * line, so it is an ordinary repository to clone and commit to. An existing repository is never
 * touched.
 */
final class DemoRepository {
    /** Fixed author and dates: the demo's commits are the same on every machine. */
    private static final Map<String, String> GIT_ENVIRONMENT = Map.of(
            "GIT_AUTHOR_NAME", "Portcullis demo", "GIT_AUTHOR_EMAIL", "demo@portcullis.dev",
            "GIT_COMMITTER_NAME", "Portcullis demo", "GIT_COMMITTER_EMAIL", "demo@portcullis.dev",
            "GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z",
            // the developer's own git configuration (signing, hooks, templates) has no say here
            "GIT_CONFIG_NOSYSTEM", "1", "GIT_CONFIG_GLOBAL", "/dev/null");
    private static final long GIT_SECONDS = 30;

    private DemoRepository() {}

    /**
     * Creates the demo repository at {@code repos/example} unless something is there already.
     * It is built in a temporary directory and moved into place, so a failure leaves nothing half-made.
     *
     * @return true when it was created now
     * @throws IllegalStateException when git is missing or fails, naming the git command
     */
    static boolean createIfAbsent(Path repos) {
        return createIfAbsent(repos, Optional.empty());
    }

    /** As {@link #createIfAbsent(Path)}, with real configuration for {@code tool} when there is one. */
    static boolean createIfAbsent(Path repos, Optional<DemoTool> tool) {
        Path target = requireNonNull(repos, "repos is null").resolve("example");
        if (Files.exists(target)) {
            return false;
        }
        Path work;
        try {
            Files.createDirectories(repos);
            work = Files.createTempDirectory(repos, ".example-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the demo repository under " + repos, e);
        }
        try {
            if (tool.isPresent()) {
                seedInfrastructure(work, tool.get());
            } else {
                seed(work);
            }
            Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the demo repository " + target, e);
        } finally {
            deleteIfPresent(work);
        }
    }

    private static void seed(Path repo) throws IOException {
        write(repo.resolve("README.md"), resource("README.md"));
        for (String environment : List.of("stage", "prod")) {
            Path folder = Files.createDirectories(repo.resolve(environment).resolve("app"));
            write(folder.resolve("plan.sh"), resource("plan.sh"));
            write(folder.resolve("apply.sh"), resource("apply.sh"));
            write(folder.resolve("desired.conf"), desired(environment, environment.equals("prod") ? 3 : 1, "1.0"));
        }
        git(repo, "init", "-q");
        git(repo, "symbolic-ref", "HEAD", "refs/heads/main"); // whatever init.defaultBranch says
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "Demo app in stage and prod");
        git(repo, "checkout", "-q", "-b", "feature/demo");
        write(repo.resolve("stage/app/desired.conf"), desired("stage", 2, "1.1"));
        git(repo, "commit", "-q", "-a", "-m", "Demo change: stage runs version 1.1 on two replicas");
        git(repo, "checkout", "-q", "main");
    }

    private static void seedInfrastructure(Path repo, DemoTool tool) throws IOException {
        String toolName = tool.command().equals("tofu") ? "OpenTofu" : "Terraform";
        write(repo.resolve("README.md"), resource("terraform/README.md")
                .replace("@TOOL_NAME@", toolName).replace("@TOOL@", tool.command()));
        for (String environment : List.of("stage", "prod")) {
            Path folder = Files.createDirectories(repo.resolve(environment).resolve("app"));
            write(folder.resolve("main.tf"), configuration(environment, toolName, environment.equals("prod") ? 3 : 1, "1.0"));
        }
        git(repo, "init", "-q");
        git(repo, "symbolic-ref", "HEAD", "refs/heads/main");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "Demo app in stage and prod");
        git(repo, "checkout", "-q", "-b", "feature/demo");
        write(repo.resolve("stage/app/main.tf"), configuration("stage", toolName, 2, "1.1"));
        git(repo, "commit", "-q", "-a", "-m", "Demo change: stage runs version 1.1 on two replicas");
        git(repo, "checkout", "-q", "main");
    }

    private static String configuration(String environment, String toolName, int replicas, String version) throws IOException {
        return resource("terraform/main.tf").replace("@ENVIRONMENT@", environment).replace("@TOOL_NAME@", toolName)
                .replace("@REPLICAS@", String.valueOf(replicas)).replace("@VERSION@", version);
    }

    private static String desired(String environment, int replicas, String version) {
        return "# DEMO ONLY: the desired state of the demo app in " + environment + "\n"
                + "replicas = " + replicas + "\n"
                + "image = demo-app:" + version + "\n";
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = DemoRepository.class.getResourceAsStream("/dev/demo/" + name)) {
            return new String(requireNonNull(in, "demo resource missing: " + name).readAllBytes(), UTF_8);
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, UTF_8);
    }

    /**
     * The commit {@code revision} (a branch, a full ref) names in the git repository {@code repo}.
     *
     * @throws IllegalStateException when git is missing or fails, or answers no full commit
     */
    static CommitSha commitOf(Path repo, String revision) {
        String answer;
        try {
            answer = git(repo, "rev-parse", "--verify", "--end-of-options", revision + "^{commit}");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the commit of " + revision + " in " + repo, e);
        }
        try {
            return new CommitSha(answer);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("git rev-parse " + revision + " in " + repo + " answered no commit");
        }
    }

    private static String git(Path repo, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true);
        List.of("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY").forEach(builder.environment()::remove);
        builder.environment().putAll(GIT_ENVIRONMENT);
        String described = "git " + String.join(" ", arguments);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run git to create the demo repository (is git installed?)", e);
        }
        try {
            String output = new String(process.getInputStream().readAllBytes(), UTF_8).strip();
            if (!process.waitFor(GIT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(described + " did not finish within " + GIT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(described + " failed (exit " + process.exitValue() + "): " + output);
            }
            return output;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(described + " was interrupted");
        }
    }

    private static void deleteIfPresent(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                    Files.delete(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the unfinished demo repository " + dir, e);
        }
    }
}
