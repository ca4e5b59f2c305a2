package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditOutcome;
import java.util.List;
import java.util.Map;

/** Ends a run the driver cannot take further (denied, its task failed or was lost), audited with the reason. */
final class RunEnding {
    private final RunStore store;
    private final RunAudit audit;
    private final RunSignals signals;
    private final String actor;

    RunEnding(RunStore store, RunAudit audit, RunSignals signals, String actor) {
        this.store = requireNonNull(store, "store is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.signals = requireNonNull(signals, "signals is null");
        this.actor = requireNonNull(actor, "actor is null");
    }

    /** Moves the run to {@code state} if it still may ({@link RunState#canMoveTo}); otherwise leaves it. */
    void end(Run run, RunState state, String reason, AuditAction action, AuditOutcome outcome) {
        store.update(run.id(), current -> current.state().canMoveTo(state) ? RunChange.to(state, reason)
                .audit(ended -> List.of(audit.event(action, ended, actor, outcome, state.name(), "", Map.of("reason", reason))))
                : RunChange.keepState());
        signals.changed();
    }
}
