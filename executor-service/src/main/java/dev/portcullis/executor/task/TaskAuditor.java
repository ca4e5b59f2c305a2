package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.telemetry.Counter;
import dev.portcullis.runtime.telemetry.DurationHistogram;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the executor tells others about its tasks: their audit events (task started, finished or
 * cancelled, secrets issued, a leak masked — never a secret value) and their metrics. An audit
 * event that cannot be recorded is logged and does not stop the task; a task's end that was not
 * recorded is recorded again by a replica of the executor later (see {@link TaskRegistry#recover}). Stateless apart from the
 * meters; thread-safe.
 */
final class TaskAuditor {
    private static final Logger log = LoggerFactory.getLogger(TaskAuditor.class);
    private static final int MAX_DETECTIONS = 1024;

    private final AuditRecorder audit;
    private final Clock clock;
    private final Telemetry telemetry;
    private final DurationHistogram durations;
    private final Counter secretFailures;

    TaskAuditor(AuditRecorder audit, Clock clock, Telemetry telemetry) {
        this.audit = requireNonNull(audit, "audit is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.telemetry = requireNonNull(telemetry, "telemetry is null");
        this.durations = telemetry.durations("portcullis.executor.task.duration",
                "time from a task's creation to its end, by final state and artifact role");
        this.secretFailures = telemetry.counter("portcullis.executor.secret.failures", "{task}",
                "tasks whose secrets could not be read (the task fails, or its log is not kept), by phase");
    }

    /** Publishes the number of unfinished tasks by state, as {@code tasks} has them when measured. */
    void countUnfinished(Supplier<Collection<Task>> tasks) {
        telemetry.gauge("portcullis.executor.tasks", "{task}", "unfinished tasks by state", () -> unfinished(tasks.get()));
    }

    private static Map<Map<String, String>, Long> unfinished(Collection<Task> tasks) {
        Map<TaskState, Long> counts = new EnumMap<>(TaskState.class);
        for (TaskState state : TaskState.values()) {
            if (!state.isFinal()) {
                counts.put(state, 0L);
            }
        }
        tasks.forEach(task -> counts.computeIfPresent(task.state(), (state, count) -> count + 1));
        Map<Map<String, String>, Long> byState = new HashMap<>();
        counts.forEach((state, count) -> byState.put(Map.of("state", state.name()), count));
        return byState;
    }

    /** The secrets of a task could not be read; {@code phase} is {@code start} or {@code resume}. */
    void secretsUnreadable(String phase) {
        secretFailures.add(Map.of("phase", phase));
    }

    /** Measures the task's duration; call before its end is published, so whoever sees the end sees it measured. */
    void measure(TaskSpec spec, Task ended) {
        String artifact = spec.artifacts().plan().isPresent() ? "applies"
                : spec.artifacts().produces().isPresent() ? "produces" : "none";
        durations.record(Duration.between(ended.createdAt(), ended.endedAt().orElse(clock.instant())),
                Map.of("state", ended.state().name(), "artifact", artifact));
    }

    /** The task's granted secrets were read and go to the task (their paths only). */
    void secretsIssued(TaskSpec spec, List<SecretGrant> grants) {
        if (!grants.isEmpty()) {
            record(spec, AuditAction.SECRET_ISSUED, AuditOutcome.SUCCESS, "", Map.of("paths",
                    grants.stream().map(SecretGrant::path).collect(Collectors.joining(","))));
        }
    }

    void started(TaskSpec spec, TaskBackend.Kind backend) {
        record(startedEvent(spec, backend));
    }

    /** The event saying that the task's command runs; recorded by {@link #started}, or stored with the change by the store. */
    AuditEvent startedEvent(TaskSpec spec, TaskBackend.Kind backend) {
        return event(AuditEvent.builder("executor", AuditAction.TASK_STARTED, clock.instant()), spec, AuditOutcome.SUCCESS, "",
                Map.of("backend", backend.name().toLowerCase()));
    }

    /** A line of {@code stream} had secrets masked; {@code detections} names what was found, never the value. */
    void leakMasked(TaskSpec spec, TaskEvent.Stream stream, List<String> detections) {
        record(spec, AuditAction.SECRET_LEAK_DETECTED, AuditOutcome.SUCCESS, "MASKED", Map.of(
                "stream", stream.name().toLowerCase(),
                "detections", truncate(String.join(",", detections))));
    }

    /**
     * The task ended: finished (succeeded or failed, also before its command could start) or
     * cancelled. Everything in the event comes from {@code spec} and {@code ended}, and its id and
     * time are derived from the run and the end, so recording the same end again after a restart
     * (when the executor died before it knew the first one was taken) is stored once.
     *
     * @return true when the audit outbox took the event
     */
    boolean ended(TaskSpec spec, Task ended) {
        return record(endEvent(spec, ended));
    }

    /** The event recording the task's end (see {@link #ended}); the store may keep it with the end itself. */
    AuditEvent endEvent(TaskSpec spec, Task ended) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put("exit_code", String.valueOf(ended.exitCode().orElse(-1)));
        ended.artifact().ifPresent(artifact -> attributes.put("artifact_sha256", artifact.sha256().value()));
        spec.artifacts().plan().ifPresent(ref -> {
            attributes.put("plan_sha256", ref.sha256().value());
            if (ended.failure() == TaskFailure.PLAN_DIGEST_MISMATCH || ended.failure() == TaskFailure.PLAN_UNAVAILABLE) {
                attributes.put("expected_digest", ref.sha256().value());
                attributes.put("plan_uri", ref.uri());
            }
        });
        ended.planSummary().ifPresent(summary -> attributes.putAll(PlanAudit.attributes(summary.summary())));
        ended.failedStep().ifPresent(step -> attributes.put("failed_step", String.valueOf(step)));
        TaskState state = ended.state();
        String reason = ended.failure() != TaskFailure.NONE ? ended.failure().name() : state.name();
        return event(AuditEvent.builder("executor", state == TaskState.CANCELLED ? AuditAction.TASK_CANCELLED
                        : AuditAction.TASK_FINISHED, ended.endedAt().orElseThrow())
                .eventId(endEventId(spec)),
                spec, state == TaskState.SUCCEEDED || state == TaskState.CANCELLED ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE,
                reason, attributes);
    }

    /** The id of the event recording the end of {@code spec}'s task: the same whenever it is recorded. */
    static UUID endEventId(TaskSpec spec) {
        return UUID.nameUUIDFromBytes(("portcullis executor task ended " + spec.runId().value()).getBytes(StandardCharsets.UTF_8));
    }

    private void record(TaskSpec spec, AuditAction action, AuditOutcome outcome, String reason,
            Map<String, String> attributes) {
        record(event(AuditEvent.builder("executor", action, clock.instant()), spec, outcome, reason, attributes));
    }

    private static AuditEvent event(AuditEvent.Builder event, TaskSpec spec, AuditOutcome outcome, String reason,
            Map<String, String> attributes) {
        return event
                .resource(new AuditResource("task", spec.runId().value(), "", spec.runId().value()))
                .outcome(outcome)
                .reason(reason)
                .traceId(spec.traceId())
                .attributes(attributes)
                .build();
    }

    private boolean record(AuditEvent event) {
        try {
            audit.record(event);
            return true;
        } catch (RuntimeException e) {
            log.atError().setCause(e).log("task.audit_failed");
            return false;
        }
    }

    private static String truncate(String text) {
        return text.length() > MAX_DETECTIONS ? text.substring(0, MAX_DETECTIONS) : text;
    }
}
