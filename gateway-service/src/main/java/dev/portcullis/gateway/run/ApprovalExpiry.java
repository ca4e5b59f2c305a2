package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.error.DomainException;
import java.time.Clock;
import java.util.List;

/** Ends runs still AWAITING_APPROVAL when their approval deadline passed: EXPIRED, audited as {@code run.expired}. */
final class ApprovalExpiry {
    private static final int BATCH = 500;

    private final RunStore store;
    private final RunAudit audit;
    private final RunSignals signals;
    private final Clock clock;
    private final String actor;

    /** @param actor the gateway's own identity, the actor of the audit events */
    ApprovalExpiry(RunStore store, RunAudit audit, RunSignals signals, Clock clock, String actor) {
        this.store = requireNonNull(store, "store is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.signals = requireNonNull(signals, "signals is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.actor = requireNonNull(actor, "actor is null");
    }

    /** Expires one batch of runs whose deadline passed; a run that changed meanwhile is left as it is. */
    void expire() {
        for (Run run : store.approvalsPastDeadline(clock.instant(), BATCH)) {
            Run expired;
            try {
                expired = store.update(run.id(), current -> current.state() == RunState.AWAITING_APPROVAL
                        ? RunChange.to(RunState.EXPIRED, "no approval before " + current.approvalDeadline().orElseThrow())
                                .audit(after -> List.of(audit.event(AuditAction.RUN_EXPIRED, after, actor, "")))
                        : RunChange.keepState());
            } catch (DomainException e) {
                continue;
            }
            if (expired.state() == RunState.EXPIRED) {
                signals.changed();
            }
        }
    }
}
