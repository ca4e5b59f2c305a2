package dev.portcullis.gateway.drift;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.Actor;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunService;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.RunId;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The drift checks as people use them (issue 20, part 4): every target with what its last check
 * found, for the roles that may list runs; and a check of one target now, for admins, submitted by
 * {@link DriftScheduler#checkNow} exactly as a scheduled one and audited as
 * {@code drift.check_requested} naming who asked. Stateless over thread-safe parts: thread-safe.
 * Blocks on the store, and (checks) on the catalog source, ref resolution and the policy service.
 */
public final class DriftChecks {
    private final DriftStore store;
    private final DriftScheduler scheduler;
    private final RunService runs;
    private final AuditRecorder audit;
    private final Clock clock;
    private final boolean enabled;

    /**
     * @param enabled whether this gateway runs drift checks; when not, no check is asked for here,
     *     since nothing would record its result
     */
    public DriftChecks(DriftStore store, DriftScheduler scheduler, RunService runs, AuditRecorder audit, Clock clock,
            boolean enabled) {
        this.store = requireNonNull(store, "store is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.runs = requireNonNull(runs, "runs is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.enabled = enabled;
    }

    /**
     * Every target stored, ordered by repo, folder and environment, each with the run its state
     * comes from.
     *
     * @throws DomainException UNAVAILABLE ({@code STORE_UNAVAILABLE}) when the store is
     */
    public List<DriftStatus> targets() {
        return store.all().stream().map(record -> new DriftStatus(record, record.resultRun().flatMap(this::run))).toList();
    }

    private Optional<Run> run(RunId id) {
        try {
            return Optional.of(runs.get(id));
        } catch (DomainException e) {
            if (e.kind() != DomainException.Kind.NOT_FOUND) {
                throw e;
            }
            return Optional.empty();
        }
    }

    /**
     * Checks {@code id} now on behalf of {@code asker} ({@link DriftScheduler#checkNow}), and
     * audits the request, whatever came of it.
     *
     * @return the check's run: submitted now, or the one already pending
     * @throws DomainException DENIED ({@code ROLE_REQUIRED}) for a caller without the admin role;
     *     PRECONDITION ({@code DRIFT_CHECKS_DISABLED}) when this gateway runs no drift checks; and
     *     whatever {@link DriftScheduler#checkNow} throws
     */
    public DriftScheduler.Requested checkNow(DriftTargetId id, Actor asker) {
        requireNonNull(id, "id is null");
        requireNonNull(asker, "asker is null");
        DriftScheduler.Requested requested;
        try {
            if (!asker.admin()) {
                throw new DomainException(DomainException.Kind.DENIED, "ROLE_REQUIRED",
                        "checking a drift target now needs the admin role", Map.of("role", "admin"));
            }
            if (!enabled) {
                throw new DomainException(DomainException.Kind.PRECONDITION, "DRIFT_CHECKS_DISABLED",
                        "this gateway runs no drift checks (portcullis.gateway.drift.enabled is false)", Map.of());
            }
            requested = scheduler.checkNow(id);
        } catch (DomainException refused) {
            audit.record(requestEvent(id, asker, Optional.empty(), false, Optional.of(refused)));
            throw refused;
        }
        audit.record(requestEvent(id, asker, Optional.of(requested.run()), requested.alreadyPending(), Optional.empty()));
        return requested;
    }

    private AuditEvent requestEvent(DriftTargetId id, Actor asker, Optional<RunId> run, boolean alreadyPending,
            Optional<DomainException> refusal) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("repo", id.repo().value());
        attributes.put("folder", id.folder().value());
        attributes.put("environment", id.environment().value());
        attributes.put("already_pending", Boolean.toString(alreadyPending));
        attributes.put("authentication", asker.credential().method());
        return AuditEvent.builder("gateway", AuditAction.DRIFT_CHECK_REQUESTED, clock.instant())
                .eventId(UUID.randomUUID())
                .actor(asker.identity().value())
                .resource(new AuditResource("drift_target", id.repo().value() + ":" + id.folder().value() + ":"
                        + id.environment().value(), id.repo().value(), run.map(RunId::value).orElse("")))
                .outcome(refusal.map(e -> e.kind() == DomainException.Kind.DENIED ? AuditOutcome.DENIED : AuditOutcome.FAILURE)
                        .orElse(AuditOutcome.SUCCESS))
                .reason(refusal.map(DomainException::reason).orElse(""))
                .sourceAddress(asker.sourceAddress())
                .attributes(attributes)
                .build();
    }
}
