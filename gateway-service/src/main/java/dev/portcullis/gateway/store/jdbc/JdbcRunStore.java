package dev.portcullis.gateway.store.jdbc;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.RequestKeyTakenException;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunChange;
import dev.portcullis.gateway.run.RunEvent;
import dev.portcullis.gateway.run.RunLeaseLostException;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.gateway.run.RunStore;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.database.Transactions;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.outbox.jdbc.AuditOutboxTable;
import dev.portcullis.runtime.request.RunId;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * {@link RunStore} on JDBC: embedded H2 by default, PostgreSQL in production, one code path.
 * Changes to a run take its row lock ({@code SELECT … FOR UPDATE}), so replicas serialise on it.
 * Each table has its class — {@link JdbcRuns}, {@link JdbcRunEvents}, {@link JdbcQueueLocks},
 * {@link JdbcLeases} — over one {@link Transactions}; this class makes a change of them, and
 * stores its audit events in the {@link AuditOutboxTable} in the same transaction: which state moves are legal is {@link RunState}'s to say. Thread-safe.
 */
public final class JdbcRunStore implements RunStore {
    private final Transactions transactions;
    private final Clock clock;
    private final JdbcRuns runs;
    private final JdbcRunEvents events;
    private final JdbcQueueLocks locks;
    private final JdbcLeases leases;
    private final AuditOutboxTable audit;
    private final JdbcTokenUses tokenUses;

    /** @param audit the audit outbox table in the same database, where the audit events of changes go */
    public JdbcRunStore(DataSource dataSource, Clock clock, AuditOutboxTable audit) {
        this.transactions = new Transactions(dataSource, "run");
        this.clock = requireNonNull(clock, "clock is null");
        this.runs = new JdbcRuns(transactions);
        this.events = new JdbcRunEvents(transactions);
        this.locks = new JdbcQueueLocks(transactions, clock);
        this.leases = new JdbcLeases(transactions);
        this.audit = requireNonNull(audit, "audit is null");
        this.tokenUses = new JdbcTokenUses(transactions);
    }

    /** A committed change: the run as it left it, and its audit events (committed with it). */
    private record Committed(Run run, List<AuditEvent> audit) {}

    @Override
    public Run create(Run run, int maxRunsPerToken, Function<Run, List<AuditEvent>> auditOf) {
        if (maxRunsPerToken < 1) {
            throw new IllegalArgumentException("maxRunsPerToken must be at least 1");
        }
        run.tokenUse().ifPresent(tokenUses::ensureRow);
        Committed committed = transactions.inTransaction(connection -> {
            if (run.tokenUse().isPresent()) {
                tokenUses.count(connection, run.tokenUse().get(), maxRunsPerToken); // locks the token's row
            }
            runs.insert(connection, run);
            events.appendState(connection, run.id(), 0, run.createdAt(), run.state(), run.stateReason(), Optional.empty());
            Run created = RunRows.reread(connection, run.id());
            List<AuditEvent> told = List.copyOf(auditOf.apply(created));
            audit.store(connection, told);
            return new Committed(created, told);
        }, failure -> {
            if (Transactions.isUniqueViolation(failure)) {
                throw new RequestKeyTakenException();
            }
            throw transactions.unavailable(failure);
        });
        audit.committed(committed.audit());
        return committed.run();
    }

    @Override
    public Run update(RunId id, Function<Run, RunChange> decide) {
        Committed committed = transactions.inTransaction(connection -> {
            Run run = RunRows.lock(connection, id).orElseThrow(() -> notFound(id));
            RunChange change = decide.apply(run);
            Run after = change.isEmpty() ? run : apply(connection, run, change);
            List<AuditEvent> told = change.auditOf(after);
            audit.store(connection, told);
            return new Committed(after, told);
        });
        audit.committed(committed.audit());
        return committed.run();
    }

    @Override
    public Run updateHeld(RunId id, String holder, Function<Run, RunChange> decide) {
        requireNonNull(holder, "holder is null");
        Committed committed = transactions.inTransaction(connection -> {
            Run run = RunRows.lock(connection, id).orElseThrow(() -> notFound(id));
            // checked under the row lock: a claim by another replica waits for this transaction
            if (!leases.holds(connection, id, holder, clock.instant())) {
                throw new RunLeaseLostException();
            }
            RunChange change = decide.apply(run);
            Run after = change.isEmpty() ? run : apply(connection, run, change);
            List<AuditEvent> told = change.auditOf(after);
            audit.store(connection, told);
            return new Committed(after, told);
        });
        audit.committed(committed.audit());
        return committed.run();
    }

    /** Writes {@code change} to the locked {@code run}; the run after it. */
    private Run apply(Connection connection, Run run, RunChange change) throws SQLException {
        Instant now = clock.instant();
        long offset = events.appendLines(connection, run.id(), run.nextOffset(), change.lines());
        RunState state = run.state();
        if (change.state().isPresent()) {
            RunState next = change.state().get();
            if (!state.canMoveTo(next)) {
                throw new DomainException(DomainException.Kind.PRECONDITION, "RUN_STATE_CONFLICT",
                        "run " + run.id() + " is " + state + " and cannot become " + next,
                        Map.of("run_id", run.id().value(), "state", state.name()));
            }
            events.appendState(connection, run.id(), offset++, now, next, change.reason(), change.exitCode());
            state = next;
        }
        if (change.approval().isPresent()) {
            runs.addApproval(connection, run.id(), change.approval().get());
        }
        runs.write(connection, run, change, state, offset, now);
        if (state.isFinal()) {
            leases.release(connection, run.id());
        }
        if (!state.isDriven()) {
            locks.release(connection, run.id());
        }
        return RunRows.reread(connection, run.id());
    }

    @Override
    public Optional<Run> find(RunId id) {
        return runs.find(id);
    }

    @Override
    public Optional<Run> findByRequestKey(SpiffeId requester, String requestKey) {
        return runs.findByRequestKey(requester, requestKey);
    }

    @Override
    public List<Run> list(RunQuery query) {
        return runs.list(query);
    }

    @Override
    public List<RunEvent> events(RunId id, long fromOffset, int max) {
        return events.read(id, fromOffset, max);
    }

    @Override
    public boolean tryLock(RunId id) {
        return locks.tryLock(id);
    }

    @Override
    public List<Run> unattended(Set<RunState> states, String owner, Instant now, int max) {
        return leases.unattended(states, owner, now, max);
    }

    @Override
    public boolean claim(RunId id, String owner, Instant now, Instant until) {
        return leases.claim(id, owner, now, until);
    }

    @Override
    public Set<RunId> renew(String owner, Instant until) {
        return leases.renew(owner, until);
    }

    @Override
    public List<Run> approvalsPastDeadline(Instant now, int max) {
        return runs.approvalsPastDeadline(now, max);
    }

    @Override
    public int activeRuns(SpiffeId requester) {
        return runs.activeRuns(requester);
    }

    @Override
    public Map<RunState, Long> countByState(Set<RunState> states) {
        return runs.countByState(states);
    }

    private static DomainException notFound(RunId id) {
        return new DomainException(DomainException.Kind.NOT_FOUND, "RUN_NOT_FOUND", "no run " + id, Map.of("run_id", id.value()));
    }
}
