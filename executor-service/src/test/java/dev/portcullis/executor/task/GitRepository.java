package dev.portcullis.executor.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A real git repository on disk for executor tests: stage/app holds main.tf. */
public record GitRepository(Path path, String commit) {

    public static GitRepository create(Path dir) throws Exception {
        Path repo = dir.resolve("repo");
        Files.createDirectories(repo.resolve("stage/app"));
        Files.writeString(repo.resolve("stage/app/main.tf"), "# terraform\n");
        git(repo, "init", "-q");
        git(repo, "add", ".");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "init");
        Process head = new ProcessBuilder("git", "rev-parse", "HEAD").directory(repo.toFile()).start();
        String commit = new String(head.getInputStream().readAllBytes()).trim();
        head.waitFor();
        return new GitRepository(repo, commit);
    }

    private static void git(Path in, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertEquals(0, process.waitFor());
    }
}
