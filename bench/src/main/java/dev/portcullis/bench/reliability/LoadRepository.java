package dev.portcullis.bench.reliability;

import static dev.portcullis.bench.BenchSupport.git;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The git repository and catalog the load runs against: repository {@code load} with folders
 * {@code ENV/svc-NN} in environments {@code stage} and {@code test} (no approvals), each with a
 * {@code plan.sh} that prints a few plan-like lines and writes {@code plan.out}. Runs lock per
 * (repo, folder, environment), so callers spread over the folders and environments and only a
 * few share a lock.
 */
final class LoadRepository {
    static final String REPO = "load";
    static final List<String> ENVIRONMENTS = List.of("stage", "test");
    /** The first line every plan prints: seen twice in one run's log, the command ran twice. */
    static final String PLAN_MARKER = "load plan starting";
    static final String PLAN_END = "Plan: 5 to add";

    private static final String PLAN_SCRIPT = """
            echo "%s for $1 in $(basename "$PWD")"
            i=0
            while [ $i -lt 5 ]; do echo "  + resource load_$i ($1)"; i=$((i+1)); done
            echo "+ 5 resources for $1" > plan.out
            echo "%s"
            """.formatted(PLAN_MARKER, PLAN_END);

    private static final String CATALOG = """
            # Written by the reliability suite (bench/run reliability): a load catalog, not a real one.
            version: 1
            environments:
              stage:
                approvals: 0
              test:
                approvals: 0
              prod:
                approvals: 1
            commands:
              plan:
                argv: ["sh", "plan.sh", "${environment}"]
                produces: plan.out
              apply:
                argv: ["sh", "apply.sh", "plan.out"]
                requires_plan: true
                changes_infrastructure: true
            repos:
              - name: load
                url: file://@REPO@
                folders: ["stage/**", "test/**"]
                callers: ["spiffe://portcullis.dev/ci/**"]
                rules:
                  - commands: [plan]
                    refs: ["refs/heads/**"]
                    environments: [stage, test]
              # the dev catalog's demo repo (portcullis dev seeds it), which the hostile corpus attacks
              - name: example
                url: file://@EXAMPLE@
                folders: ["stage/**", "prod/**"]
                callers: ["spiffe://portcullis.dev/ci/**"]
                rules:
                  - commands: [plan]
                    refs: ["refs/heads/**", "refs/pull/*/head"]
                    environments: [stage, prod]
                    when: 'request.folder.startsWith(request.environment + "/")'
                  - commands: [apply]
                    refs: ["refs/heads/main"]
                    environments: [stage, prod]
                    when: 'request.folder.startsWith(request.environment + "/")'
            """;

    private final int folders;
    private final String commit;

    private LoadRepository(int folders, String commit) {
        this.folders = folders;
        this.commit = commit;
    }

    /**
     * Creates the repository at {@code dir} with {@code folders} folders per environment and
     * writes {@code catalogFile} naming it.
     */
    static LoadRepository create(Path dir, int folders, Path catalogFile) {
        if (folders < 1 || folders > 1000) {
            throw new IllegalArgumentException("folders must be between 1 and 1000");
        }
        try {
            Files.createDirectories(dir);
            for (String environment : ENVIRONMENTS) {
                for (int i = 0; i < folders; i++) {
                    Path folder = Files.createDirectories(dir.resolve(environment).resolve(folderName(i)));
                    Files.writeString(folder.resolve("plan.sh"), PLAN_SCRIPT, UTF_8);
                }
            }
            git(dir, "init", "-q");
            git(dir, "symbolic-ref", "HEAD", "refs/heads/main");
            git(dir, "add", "-A");
            git(dir, "commit", "-q", "-m", "load repository");
            String commit = git(dir, "rev-parse", "HEAD");
            Files.writeString(catalogFile, CATALOG.replace("@REPO@", dir.toAbsolutePath().toString())
                    .replace("@EXAMPLE@", dir.toAbsolutePath().resolveSibling("example").toString()), UTF_8);
            return new LoadRepository(folders, commit);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the load repository in " + dir, e);
        }
    }

    /** The one commit of branch main. */
    String commit() {
        return commit;
    }

    /** Caller {@code caller}'s folder: callers go round the folders, then round the environments. */
    String folder(int caller) {
        return environment(caller) + "/" + folderName(caller % folders);
    }

    String environment(int caller) {
        return ENVIRONMENTS.get((caller / folders) % ENVIRONMENTS.size());
    }

    private static String folderName(int index) {
        return String.format("svc-%03d", index);
    }
}
