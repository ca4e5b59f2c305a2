package dev.portcullis.bench.latency;

import static dev.portcullis.bench.BenchSupport.git;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The small git repository and catalog the run-latency and cli-start benchmarks run against:
 * repository {@code latency} with folders {@code stage/f-NN}, each holding one short file, and a
 * catalog whose command {@code echo} (and {@code plan}, the same, for {@code portcullis plan}) is
 * {@link #COMMAND}: trivial, so what the benchmark measures is what a run adds (policy, queue,
 * dispatch, checkout, process start, log relay, watch delivery).
 */
final class LatencyRepository {
    static final String REPO = "latency";
    static final String ENVIRONMENT = "stage";
    static final String COMMAND_NAME = "echo";
    /** The command, run by the executor inside the checkout and directly by the benchmark as the baseline. */
    static final List<String> COMMAND = List.of("sh", "-c", "echo start; echo end");
    static final String FIRST_LINE = "start";
    static final String LAST_LINE = "end";

    private static final String CATALOG = """
            # Written by bench/run run-latency: a trivial command in a small repository, not a real catalog.
            version: 1
            environments:
              stage:
                approvals: 0
            commands:
              echo:
                argv: ["sh", "-c", "echo start; echo end"]
              plan:
                argv: ["sh", "-c", "echo start; echo end"]
            repos:
              - name: latency
                url: file://@REPO@
                folders: ["stage/**"]
                callers: ["spiffe://portcullis.dev/ci/**"]
                rules:
                  - commands: [echo, plan]
                    refs: ["refs/heads/**"]
                    environments: [stage]
            """;

    private final int folders;
    private final String commit;

    private LatencyRepository(int folders, String commit) {
        this.folders = folders;
        this.commit = commit;
    }

    /** Creates the repository at {@code dir} with {@code folders} folders and writes {@code catalogFile} naming it. */
    static LatencyRepository create(Path dir, int folders, Path catalogFile) {
        if (folders < 1 || folders > 100) {
            throw new IllegalArgumentException("folders must be between 1 and 100");
        }
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < folders; i++) {
                Path folder = Files.createDirectories(dir.resolve(ENVIRONMENT).resolve(folderName(i)));
                Files.writeString(folder.resolve("README"), "folder " + i + " of the run-latency benchmark\n", UTF_8);
            }
            git(dir, "init", "-q");
            git(dir, "symbolic-ref", "HEAD", "refs/heads/main");
            git(dir, "add", "-A");
            git(dir, "commit", "-q", "-m", "run-latency repository");
            String commit = git(dir, "rev-parse", "HEAD");
            Files.writeString(catalogFile, CATALOG.replace("@REPO@", dir.toAbsolutePath().toString()), UTF_8);
            return new LatencyRepository(folders, commit);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the run-latency repository in " + dir, e);
        }
    }

    /** The one commit of branch main. */
    String commit() {
        return commit;
    }

    /** Folder {@code index} modulo the folder count. */
    String folder(int index) {
        return ENVIRONMENT + "/" + folderName(index % folders);
    }

    private static String folderName(int index) {
        return String.format("f-%02d", index);
    }
}
