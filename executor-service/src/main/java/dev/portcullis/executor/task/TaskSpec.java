package dev.portcullis.executor.task;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A fully resolved task: nothing in it is free text for a shell. Immutable.
 *
 * @param repoUrl clone URL: https://, ssh://, file:/// or an absolute local path
 * @param steps the command's steps as the catalog rendered them, 1 to 16, run in order
 * @param env environment variables for every step, never secrets: at most 64, names as
 *     {@link #variableProblem} allows them, values of at most 4096 bytes
 * @param timeout wall-clock limit of all steps together, 1 second to 24 hours
 * @param artifacts the file the task produces (and the tool its plan summary comes from) and the
 *     plan it applies, if any
 * @param traceId the run's W3C trace id (32 lowercase hex), carried by the task's audit events;
 *     empty when none
 */
public record TaskSpec(RunId runId, String repoUrl, CommitSha commit, RepoFolder folder, String environment,
        List<TaskStep> steps, Map<String, String> env, Duration timeout, TaskArtifacts artifacts, String traceId) {
    public static final Duration MAX_TIMEOUT = Duration.ofHours(24);
    public static final int MAX_STEPS = 16;
    public static final int MAX_VARIABLES = 64;
    public static final int MAX_VALUE_BYTES = 4096;
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,254}");
    /** Variables the task's own environment depends on; neither a secret nor the command's env may set them. */
    private static final Set<String> RESERVED = Set.of("PATH", "HOME", "LANG", "SHELL", "IFS");

    public TaskSpec {
        requireNonNull(runId, "runId is null");
        requireNonNull(repoUrl, "repoUrl is null");
        requireNonNull(commit, "commit is null");
        requireNonNull(folder, "folder is null");
        requireNonNull(environment, "environment is null");
        steps = List.copyOf(steps);
        env = Map.copyOf(env);
        requireNonNull(timeout, "timeout is null");
        requireNonNull(artifacts, "artifacts is null");
        if (!requireNonNull(traceId, "traceId is null").matches("|[0-9a-f]{32}")) {
            throw new IllegalArgumentException("trace id must be 32 lowercase hex characters or empty");
        }
        if (steps.isEmpty() || steps.size() > MAX_STEPS) {
            throw new IllegalArgumentException("a task has 1-16 steps");
        }
        if (env.size() > MAX_VARIABLES) {
            throw new IllegalArgumentException("a task has at most 64 environment variables");
        }
        env.forEach((name, value) -> variableProblem(name, value).ifPresent(problem -> {
            throw new IllegalArgumentException("environment variable " + (VARIABLE_NAME.matcher(name).matches() ? name : "")
                    + " " + problem);
        }));
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
     * What is wrong with the command's environment variable {@code name=value}, in words safe to
     * show (never the value); empty when nothing is.
     */
    public static Optional<String> variableProblem(String name, String value) {
        if (!VARIABLE_NAME.matcher(name).matches()) {
            return Optional.of("must be named with [A-Z_][A-Z0-9_]*, at most 255 characters");
        }
        if (reserved(name)) {
            return Optional.of("is reserved: the task's own environment sets it");
        }
        if (value.indexOf('\0') >= 0 || value.getBytes(UTF_8).length > MAX_VALUE_BYTES) {
            return Optional.of("must have a value of at most 4096 bytes, without NUL");
        }
        return Optional.empty();
    }

    /**
     * Whether {@code name} is a variable the task's own environment depends on (PATH, HOME, LANG,
     * SHELL, IFS, LD_*, DYLD_*) or the runner's controls (PORTCULLIS_*).
     */
    public static boolean reserved(String name) {
        return RESERVED.contains(name) || name.startsWith("LD_") || name.startsWith("DYLD_") || name.startsWith("PORTCULLIS_");
    }

    /**
     * Whether {@code other} asks for the same task: everything but the trace id, which is where
     * the request was traced, not what it asks for (a retried StartTask may come from another
     * trace, and a task stored before trace ids were kept has none).
     */
    public boolean sameTaskAs(TaskSpec other) {
        return equals(new TaskSpec(other.runId, other.repoUrl, other.commit, other.folder, other.environment, other.steps,
                other.env, other.timeout, other.artifacts, traceId));
    }

    /** The command's environment in name order: for logs and stored records that must not depend on hashing. */
    public Map<String, String> sortedEnv() {
        return new TreeMap<>(env);
    }

    /** A one-step task without its own environment variables. */
    public TaskSpec(RunId runId, String repoUrl, CommitSha commit, RepoFolder folder, String environment,
            List<String> argv, Duration timeout, TaskArtifacts artifacts, String traceId) {
        this(runId, repoUrl, commit, folder, environment, List.of(TaskStep.of(argv)), Map.of(), timeout, artifacts, traceId);
    }

    /** A one-step task outside any trace. */
    public TaskSpec(RunId runId, String repoUrl, CommitSha commit, RepoFolder folder, String environment,
            List<String> argv, Duration timeout, TaskArtifacts artifacts) {
        this(runId, repoUrl, commit, folder, environment, argv, timeout, artifacts, "");
    }

    /** A one-step task without artifacts. */
    public TaskSpec(RunId runId, String repoUrl, CommitSha commit, RepoFolder folder, String environment,
            List<String> argv, Duration timeout) {
        this(runId, repoUrl, commit, folder, environment, argv, timeout, TaskArtifacts.NONE);
    }
}
