package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import java.time.Duration;
import java.util.List;

/**
 * A fully resolved task: nothing in it is free text for a shell. Immutable.
 *
 * @param repoUrl clone URL: https://, ssh://, file:/// or an absolute local path
 * @param argv the command's argv as the catalog rendered it
 * @param timeout wall-clock limit, 1 second to 24 hours
 * @param artifacts the file the task produces and the plan it applies, if any
 * @param traceId the run's W3C trace id (32 lowercase hex), carried by the task's audit events;
 *     empty when none
 */
public record TaskSpec(RunId runId, String repoUrl, CommitSha commit, RepoFolder folder, String environment,
        List<String> argv, Duration timeout, TaskArtifacts artifacts, String traceId) {
    public static final Duration MAX_TIMEOUT = Duration.ofHours(24);

    public TaskSpec {
        requireNonNull(runId, "runId is null");
        requireNonNull(repoUrl, "repoUrl is null");
        requireNonNull(commit, "commit is null");
        requireNonNull(folder, "folder is null");
        requireNonNull(environment, "environment is null");
        argv = List.copyOf(argv);
        requireNonNull(timeout, "timeout is null");
        requireNonNull(artifacts, "artifacts is null");
        if (!requireNonNull(traceId, "traceId is null").matches("|[0-9a-f]{32}")) {
            throw new IllegalArgumentException("trace id must be 32 lowercase hex characters or empty");
        }
        if (argv.isEmpty() || argv.size() > 64 || argv.stream().anyMatch(a -> a.length() > 4096 || a.indexOf('\0') >= 0)) {
            throw new IllegalArgumentException("argv must hold 1-64 arguments of at most 4096 characters, without NUL");
        }
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout must be between 1 second and 24 hours");
        }
        if (repoUrl.length() > 2048 || !(repoUrl.startsWith("https://") || repoUrl.startsWith("ssh://")
                || repoUrl.startsWith("file:///") || repoUrl.startsWith("/"))
                || repoUrl.chars().anyMatch(c -> c < 0x21 || c > 0x7e) || repoUrl.startsWith("-")) {
            throw new IllegalArgumentException("repo URL must be https://, ssh://, file:/// or an absolute path, without spaces");
        }
    }

    /**
     * Whether {@code other} asks for the same task: everything but the trace id, which is where
     * the request was traced, not what it asks for (a retried StartTask may come from another
     * trace, and a journal written before trace ids were kept has none).
     */
    public boolean sameTaskAs(TaskSpec other) {
        return equals(new TaskSpec(other.runId, other.repoUrl, other.commit, other.folder, other.environment, other.argv,
                other.timeout, other.artifacts, traceId));
    }

    /** A task outside any trace. */
    public TaskSpec(RunId runId, String repoUrl, CommitSha commit, RepoFolder folder, String environment,
            List<String> argv, Duration timeout, TaskArtifacts artifacts) {
        this(runId, repoUrl, commit, folder, environment, argv, timeout, artifacts, "");
    }

    /** A task without artifacts. */
    public TaskSpec(RunId runId, String repoUrl, CommitSha commit, RepoFolder folder, String environment,
            List<String> argv, Duration timeout) {
        this(runId, repoUrl, commit, folder, environment, argv, timeout, TaskArtifacts.NONE);
    }
}
