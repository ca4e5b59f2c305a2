package dev.portcullis.gateway.drift;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.DriftTarget;
import dev.portcullis.gateway.run.PlanSummary;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.identity.SpiffeId;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The audit events of drift checks: {@code drift.detected}, {@code drift.cleared} and
 * {@code drift.check_failed}, made by the scheduler identity about a target ("drift_target",
 * {@code REPO:FOLDER:ENVIRONMENT}). They carry what was checked, counts and resource addresses
 * from the plan summary, never a value. The store commits them with the result they describe.
 */
final class DriftAudit {
    private final SpiffeId scheduler;
    private final Clock clock;

    DriftAudit(SpiffeId scheduler, Clock clock) {
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The events of a finished check's result, given the target's state before it. */
    List<AuditEvent> resultOf(DriftTarget target, Run run, DriftScheduler.Result result, DriftState previous,
            int consecutiveFailures) {
        Map<String, String> attributes = attributes(target, result.state(), previous);
        attributes.put("commit_sha", run.spec().commit().value());
        return switch (result.state()) {
            case DRIFTED -> {
                run.planSummary().ifPresent(summary -> attributes.putAll(planAttributes(summary)));
                yield List.of(event(AuditAction.DRIFT_DETECTED, target, Optional.of(run), AuditOutcome.SUCCESS,
                        "DRIFT_DETECTED", attributes));
            }
            case IN_SYNC -> previous == DriftState.DRIFTED
                    ? List.of(event(AuditAction.DRIFT_CLEARED, target, Optional.of(run), AuditOutcome.SUCCESS, "",
                            attributes))
                    : List.of();
            case FAILING -> checkFailed(target, Optional.of(run), result.code(), attributes, consecutiveFailures);
            case UNKNOWN -> List.of();
        };
    }

    /** The event of a check that failed without a run to read: not submitted, or its run is gone. */
    List<AuditEvent> failed(DriftTarget target, Optional<Run> run, String code, DriftState previous,
            int consecutiveFailures) {
        return checkFailed(target, run, code, attributes(target, DriftState.FAILING, previous), consecutiveFailures);
    }

    private List<AuditEvent> checkFailed(DriftTarget target, Optional<Run> run, String code, Map<String, String> attributes,
            int consecutiveFailures) {
        attributes.put("consecutive_failures", Integer.toString(consecutiveFailures));
        return List.of(event(AuditAction.DRIFT_CHECK_FAILED, target, run, AuditOutcome.FAILURE, code, attributes));
    }

    private static Map<String, String> attributes(DriftTarget target, DriftState state, DriftState previous) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("repo", target.repo().value());
        attributes.put("folder", target.folder().value());
        attributes.put("environment", target.environment().value());
        attributes.put("command", target.command().value());
        attributes.put("ref", target.ref().value());
        attributes.put("state", state.label());
        attributes.put("previous_state", previous.label());
        return attributes;
    }

    /** Counts and addresses: the addresses changed or drifted, as many as fit in one attribute. */
    static Map<String, String> planAttributes(PlanSummary summary) {
        Map<String, String> attributes = new LinkedHashMap<>(summary.auditAttributes());
        attributes.put("drift_count", Long.toString(summary.drift().size() + summary.driftNotListed()));
        List<String> addresses = Stream.concat(summary.changes().stream(), summary.drift().stream())
                .map(PlanSummary.ResourceChange::address).distinct().toList();
        StringBuilder listed = new StringBuilder();
        int shown = 0;
        for (String address : addresses) {
            int added = (listed.isEmpty() ? 0 : 1) + address.length();
            if (listed.length() + added > AuditEvent.MAX_VALUE) {
                break;
            }
            listed.append(listed.isEmpty() ? "" : ",").append(address);
            shown++;
        }
        attributes.put("addresses", listed.toString());
        attributes.put("addresses_not_listed", Long.toString(addresses.size() - shown + summary.changesNotListed()
                + summary.driftNotListed()));
        return attributes;
    }

    private AuditEvent event(AuditAction action, DriftTarget target, Optional<Run> run, AuditOutcome outcome, String reason,
            Map<String, String> attributes) {
        String runId = run.map(r -> r.id().value()).orElse("");
        return AuditEvent.builder("gateway", action, clock.instant())
                .eventId(UUID.randomUUID())
                .actor(scheduler.value())
                .resource(new AuditResource("drift_target", target.repo().value() + ":" + target.folder().value() + ":"
                        + target.environment().value(), target.repo().value(), runId))
                .outcome(outcome)
                .reason(reason)
                .traceId(run.map(Run::traceId).orElse(""))
                .attributes(attributes)
                .build();
    }
}
