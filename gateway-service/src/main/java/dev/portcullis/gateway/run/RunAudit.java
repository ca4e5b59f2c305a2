package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.request.RunId;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a run's audit events: every one names the run, its repo and its trace id, and carries
 * what was asked (repo, commit, ref, folder, environment, command). Never a secret value. The
 * events of a transition go to the store with it ({@code RunChange.audit}); refusals, which
 * change nothing, are recorded here directly.
 */
final class RunAudit {
    private static final Logger log = LoggerFactory.getLogger(RunAudit.class);

    private final AuditRecorder recorder;
    private final Clock clock;

    RunAudit(AuditRecorder recorder, Clock clock) {
        this.recorder = requireNonNull(recorder, "recorder is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** True when events are being recorded and delivered; false means refuse new runs. */
    boolean healthy() {
        return recorder.healthy();
    }

    /**
     * The event of a run's transition, for the store to commit with it ({@code RunChange.audit}):
     * made from the run as the transition leaves it, with a fresh event id.
     */
    AuditEvent event(AuditAction action, Run run, String actor, AuditOutcome outcome, String reason, String sourceAddress,
            Map<String, String> extra) {
        Map<String, String> attributes = specAttributes(run.spec());
        attributes.put("state", run.state().name());
        attributes.put("requester", run.requester().value());
        if (run.breakGlass()) {
            attributes.put("break_glass", "true");
        }
        attributes.putAll(extra);
        return build(action, run.id().value(), run.spec().repo().value(), run.traceId(), actor, outcome, reason,
                sourceAddress, attributes);
    }

    /** A successful transition's event. */
    AuditEvent event(AuditAction action, Run run, String actor, String sourceAddress) {
        return event(action, run, actor, AuditOutcome.SUCCESS, "", sourceAddress, Map.of());
    }

    /** A refused request about an existing run: nothing changed, so it is recorded directly. */
    void refused(AuditAction action, Run run, Actor actor, String reason) {
        record(event(action, run, actor.identity().value(), AuditOutcome.DENIED, reason, actor.sourceAddress(),
                Map.of("authentication", actor.credential().method())));
    }

    /** A refused request about a run that may not exist. */
    void refused(AuditAction action, RunId run, Actor actor, String reason) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put("authentication", actor.credential().method());
        record(build(action, run.value(), "", "", actor.identity().value(), AuditOutcome.DENIED, reason,
                actor.sourceAddress(), attributes));
    }

    /** A refused request for a new run: what was asked, no run. */
    void refused(AuditAction action, RunSpec spec, Actor actor, String reason, Map<String, String> extra) {
        Map<String, String> attributes = specAttributes(spec);
        attributes.putAll(extra);
        record(build(action, "", spec.repo().value(), "", actor.identity().value(), AuditOutcome.DENIED, reason,
                actor.sourceAddress(), attributes));
    }

    private static Map<String, String> specAttributes(RunSpec spec) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put("repo", spec.repo().value());
        attributes.put("commit_sha", spec.commit().value());
        attributes.put("ref", spec.ref().value());
        attributes.put("folder", spec.folder().value());
        attributes.put("environment", spec.environment().value());
        attributes.put("command", spec.command().value());
        spec.planRun().ifPresent(plan -> attributes.put("plan_run_id", plan.value()));
        return attributes;
    }

    private AuditEvent build(AuditAction action, String runId, String repo, String traceId, String actor,
            AuditOutcome outcome, String reason, String sourceAddress, Map<String, String> attributes) {
        attributes.replaceAll((key, value) -> value.length() > AuditEvent.MAX_VALUE ? value.substring(0, AuditEvent.MAX_VALUE)
                : value);
        return AuditEvent.builder("gateway", action, clock.instant())
                .eventId(UUID.randomUUID())
                .actor(actor)
                .resource(new AuditResource("run", runId, repo, runId))
                .outcome(outcome)
                .reason(reason)
                .traceId(traceId)
                .sourceAddress(sourceAddress)
                .attributes(attributes)
                .build();
    }

    private void record(AuditEvent event) {
        try {
            recorder.record(event);
        } catch (RuntimeException e) {
            // a refusal changed nothing; the outbox turns unhealthy, and new runs are refused
            log.atError().addKeyValue("run_id", event.resource().runId()).addKeyValue("action", event.action().dottedName())
                    .setCause(e).log("run.audit_failed");
        }
    }
}
