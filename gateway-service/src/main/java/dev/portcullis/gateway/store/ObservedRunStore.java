package dev.portcullis.gateway.store;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunChange;
import dev.portcullis.gateway.run.RunEvent;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.gateway.run.RunStore;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.telemetry.Counter;
import dev.portcullis.runtime.telemetry.DurationHistogram;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A {@link RunStore} that the SREs can watch. Each operation done inside a trace is in a
 * {@code db.OPERATION} span (database system and operation; never SQL values); the driver's idle
 * polling, outside any trace, is not traced: it would make a trace per poll. Every state change
 * this replica commits is counted ({@code portcullis.gateway.run.transitions} by {@code to}),
 * a run's time from submission to its final state is measured
 * ({@code portcullis.gateway.run.duration} by final {@code state}), and the runs in each
 * unfinished state are read from the database at each collection ({@code portcullis.gateway.runs}
 * by {@code state}: the same figure on every replica sharing the database).
 * Thread-safe as its delegate.
 */
public final class ObservedRunStore implements RunStore {
    private static final Set<RunState> UNFINISHED = RunState.where(state -> !state.isFinal());

    private final RunStore delegate;
    private final Telemetry telemetry;
    private final String system;
    private final Clock clock;
    private final Counter transitions;
    private final DurationHistogram durations;

    /** @param system the database, as {@code db.system} names it ("h2", "postgresql") */
    public ObservedRunStore(RunStore delegate, Telemetry telemetry, String system, Clock clock) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.telemetry = requireNonNull(telemetry, "telemetry is null");
        this.system = requireNonNull(system, "system is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.transitions = telemetry.counter("portcullis.gateway.run.transitions", "{run}",
                "run state changes committed by this gateway, by the state entered");
        this.durations = telemetry.durations("portcullis.gateway.run.duration",
                "time from a run's submission to its final state, by that state");
        telemetry.gauge("portcullis.gateway.runs", "{run}",
                "unfinished runs in the shared database by state (every replica reports the same)",
                () -> delegate.countByState(UNFINISHED).entrySet().stream()
                        .collect(Collectors.toMap(entry -> Map.of("state", entry.getKey().name()), Map.Entry::getValue)));
    }

    private void entered(Run run, RunState state) {
        if (state.isFinal()) {
            durations.record(Duration.between(run.createdAt(), clock.instant()), Map.of("state", state.name()));
        }
        // last: whoever sees the transition counted sees the duration too
        transitions.add(Map.of("to", state.name()));
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
    public Run create(Run run, int maxRunsPerToken, Function<Run, List<AuditEvent>> audit) {
        Run created = traced("create_run", Optional.of(run.id()), () -> delegate.create(run, maxRunsPerToken, audit));
        entered(created, created.state());
        return created;
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
        return observedUpdate(id, decide, observed -> delegate.update(id, observed));
    }

    @Override
    public Run updateHeld(RunId id, String holder, Function<Run, RunChange> decide) {
        return observedUpdate(id, decide, observed -> delegate.updateHeld(id, holder, observed));
    }

    private Run observedUpdate(RunId id, Function<Run, RunChange> decide, Function<Function<Run, RunChange>, Run> write) {
        // the change the committed transaction made, from the run it was decided on (a retry decides again)
        AtomicReference<Run> before = new AtomicReference<>();
        AtomicReference<RunChange> made = new AtomicReference<>();
        Run after = traced("update_run", Optional.of(id), () -> write.apply(current -> {
            RunChange change = decide.apply(current);
            before.set(current);
            made.set(change);
            return change;
        }));
        Optional<RunState> entered = Optional.ofNullable(made.get()).flatMap(RunChange::state)
                .filter(state -> state != before.get().state());
        entered.ifPresent(state -> entered(before.get(), state));
        return after;
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
    public Set<RunId> renew(String owner, Instant until) {
        return traced("renew_leases", Optional.empty(), () -> delegate.renew(owner, until));
    }

    @Override
    public List<Run> approvalsPastDeadline(Instant now, int max) {
        return traced("approvals_past_deadline", Optional.empty(), () -> delegate.approvalsPastDeadline(now, max));
    }


    @Override
    public int activeRuns(SpiffeId requester) {
        return traced("count_active_runs", Optional.empty(), () -> delegate.activeRuns(requester));
    }

    @Override
    public Map<RunState, Long> countByState(Set<RunState> states) {
        return traced("count_by_state", Optional.empty(), () -> delegate.countByState(states));
    }
}
