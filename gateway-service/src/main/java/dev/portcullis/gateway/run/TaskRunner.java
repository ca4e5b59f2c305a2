package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Port: the executor service, which runs a run's task. Every call is idempotent per run id: a
 * retried start never runs the command twice.
 */
public interface TaskRunner {

    /**
     * Starts the task (or returns the one already started for the run).
     *
     * @throws dev.portcullis.runtime.error.DomainException UNAVAILABLE ({@code EXECUTOR_UNAVAILABLE})
     *     when the executor cannot be reached; other kinds when it refuses the task
     */
    TaskStatus start(TaskRequest request);

    /** Asks the executor to stop the run's task. */
    TaskStatus cancel(RunId run, String reason);

    /**
     * Streams the task's events from {@code fromOffset} to {@code sink} until the task ended and
     * every event was sent, the stream failed, or the returned subscription was cancelled.
     */
    Subscription follow(RunId run, long fromOffset, Sink sink);

    /** A running {@link #follow}. */
    interface Subscription {
        void cancel();
    }

    /** Receives a followed task's events, on a transport thread. */
    interface Sink {
        void event(TaskEvent event);

        /** The stream ended: {@code failure} is empty when it completed normally. */
        void ended(Optional<RuntimeException> failure);
    }

    /**
     * What the gateway asks the executor to run: everything resolved, nothing free-form.
     *
     * @param steps the command's steps in order, at least one
     * @param env environment variables for every step (never secrets)
     * @param planSummaryTool for a plan: the tool whose {@code show -json} the plan summary is derived from
     */
    record TaskRequest(RunId run, String repoUrl, CommitSha commit, RepoFolder folder, String environment,
            List<CommandStep> steps, Map<String, String> env, List<SecretGrant> secretGrants, List<PlanArtifact> planArtifact,
            String producesArtifact, PlanTool planSummaryTool, Duration timeout, String traceId) {
        public TaskRequest {
            requireNonNull(run, "run is null");
            requireNonNull(repoUrl, "repoUrl is null");
            requireNonNull(commit, "commit is null");
            requireNonNull(folder, "folder is null");
            requireNonNull(environment, "environment is null");
            steps = List.copyOf(steps);
            env = Map.copyOf(env);
            requireNonNull(planSummaryTool, "planSummaryTool is null");
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("a task has at least one step");
            }
            secretGrants = List.copyOf(secretGrants);
            planArtifact = List.copyOf(planArtifact);
            requireNonNull(producesArtifact, "producesArtifact is null");
            requireNonNull(timeout, "timeout is null");
            requireNonNull(traceId, "traceId is null");
            if (planArtifact.size() > 1) {
                throw new IllegalArgumentException("at most one plan artifact");
            }
        }
    }

    /** The task's state as the executor reports it. */
    enum TaskState {
        PENDING, STARTING, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT;

        public boolean isFinal() {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == TIMED_OUT;
        }
    }

    /**
     * A task's status.
     *
     * @param planSummary for a succeeded plan task with a plan summary tool: the summary (0 or 1)
     * @param failedStep for a task that ended because a step failed: its 1-based position (0 or 1)
     */
    record TaskStatus(TaskState state, List<Integer> exitCode, String stopReason, List<PlanArtifact> artifact,
            List<PlanSummary> planSummary, List<Integer> failedStep) {
        public TaskStatus {
            requireNonNull(state, "state is null");
            exitCode = List.copyOf(exitCode);
            requireNonNull(stopReason, "stopReason is null");
            artifact = List.copyOf(artifact);
            planSummary = List.copyOf(planSummary);
            failedStep = List.copyOf(failedStep);
        }

        /** A status without plan summary or failed step. */
        public TaskStatus(TaskState state, List<Integer> exitCode, String stopReason, List<PlanArtifact> artifact) {
            this(state, exitCode, stopReason, artifact, List.of(), List.of());
        }
    }

    /** One event of a followed task. */
    sealed interface TaskEvent {
        long offset();
    }

    /** The task changed state. */
    record StateChanged(long offset, TaskStatus status) implements TaskEvent {}

    /** The task wrote a (redacted) line. */
    record Line(long offset, RunEvent.Stream stream, String text, boolean redacted) implements TaskEvent {}
}
