package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditOutcome;
import java.util.List;
import java.util.Map;

/**
 * Ends a run the driver cannot take further (denied, its task failed or was lost), audited with
 * the reason; only while this replica holds the run's lease.
 */
final class RunEnding {
    private final LeaseKeeper leases;
    private final RunAudit audit;
    private final RunSignals signals;
    private final String actor;

    RunEnding(LeaseKeeper leases, RunAudit audit, RunSignals signals, String actor) {
        this.leases = requireNonNull(leases, "leases is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.signals = requireNonNull(signals, "signals is null");
        this.actor = requireNonNull(actor, "actor is null");
    }

    /**
     * Moves the run to {@code state} if it still may ({@link RunState#canMoveTo}); otherwise leaves it.
     *
     * @throws RunLeaseLostException when this replica no longer holds the run's lease (nothing is written)
     */
    void end(Run run, RunState state, String reason, AuditAction action, AuditOutcome outcome) {
        leases.update(run.id(), current -> current.state().canMoveTo(state) ? RunChange.to(state, reason)
                .audit(ended -> List.of(audit.event(action, ended, actor, outcome, state.name(), "", Map.of("reason", reason))))
                : RunChange.keepState());
        signals.changed();
    }
}
