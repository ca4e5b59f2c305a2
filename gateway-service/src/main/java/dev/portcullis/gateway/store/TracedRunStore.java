package dev.portcullis.gateway.store;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunEvent;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link RunStore} that puts each operation done inside a trace in a {@code db.OPERATION} span
 * (database system and operation; never SQL values). The driver's idle polling, outside any
 * trace, is not traced: it would make a trace per poll. Thread-safe as its delegate.
 */
public final class TracedRunStore implements RunStore {
    private final RunStore delegate;
    private final Telemetry telemetry;
    private final String system;

    /** @param system the database, as {@code db.system} names it ("h2", "postgresql") */
    public TracedRunStore(RunStore delegate, Telemetry telemetry, String system) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.telemetry = requireNonNull(telemetry, "telemetry is null");
        this.system = requireNonNull(system, "system is null");
    }

    private <T> T traced(String operation, Optional<RunId> run, Supplier<T> work) {
        if (Telemetry.currentTraceId().isEmpty()) {
            return work.get();
        }
        Map<String, String> attributes = run.isPresent()
                ? Map.of("db.system", system, "db.operation", operation, "portcullis.run_id", run.get().value())
                : Map.of("db.system", system, "db.operation", operation);
        return telemetry.inSpan("db." + operation, attributes, work);
    }

    @Override
    public Run create(Run run) {
        return traced("create_run", Optional.of(run.id()), () -> delegate.create(run));
    }

    @Override
    public Optional<Run> find(RunId id) {
        return traced("find_run", Optional.of(id), () -> delegate.find(id));
    }

    @Override
    public Optional<Run> findByRequestKey(SpiffeId requester, String requestKey) {
        return traced("find_by_request_key", Optional.empty(), () -> delegate.findByRequestKey(requester, requestKey));
    }

    @Override
    public List<Run> list(RunQuery query) {
        return traced("list_runs", Optional.empty(), () -> delegate.list(query));
    }

    @Override
    public Run update(RunId id, Function<Run, RunChange> decide) {
        return traced("update_run", Optional.of(id), () -> delegate.update(id, decide));
    }

    @Override
    public List<RunEvent> events(RunId id, long fromOffset, int max) {
        return traced("read_events", Optional.of(id), () -> delegate.events(id, fromOffset, max));
    }

    @Override
    public boolean tryLock(RunId id) {
        return traced("try_lock", Optional.of(id), () -> delegate.tryLock(id));
    }

    @Override
    public List<Run> unattended(Set<RunState> states, String owner, Instant now, int max) {
        return traced("unattended_runs", Optional.empty(), () -> delegate.unattended(states, owner, now, max));
    }

    @Override
    public boolean claim(RunId id, String owner, Instant now, Instant until) {
        return traced("claim_run", Optional.of(id), () -> delegate.claim(id, owner, now, until));
    }

    @Override
    public void renew(String owner, Instant until) {
        traced("renew_leases", Optional.empty(), () -> {
            delegate.renew(owner, until);
            return null;
        });
    }

    @Override
    public List<Run> approvalsPastDeadline(Instant now, int max) {
        return traced("approvals_past_deadline", Optional.empty(), () -> delegate.approvalsPastDeadline(now, max));
    }

    @Override
    public int activeRuns(SpiffeId requester) {
        return traced("count_active_runs", Optional.empty(), () -> delegate.activeRuns(requester));
    }
}
