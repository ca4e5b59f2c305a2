package dev.portcullis.gateway.store.jdbc;

import static dev.portcullis.runtime.database.Transactions.timestamp;
import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.drift.DriftRecord;
import dev.portcullis.gateway.drift.DriftState;
import dev.portcullis.gateway.drift.DriftStore;
import dev.portcullis.gateway.drift.DriftTargetId;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.database.Transactions;
import dev.portcullis.runtime.outbox.jdbc.AuditOutboxTable;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * {@link DriftStore} on JDBC ({@code drift_targets}), H2 and PostgreSQL alike. A claim is one
 * conditional {@code UPDATE}: the row's lock makes concurrent claims of one target serialise, and
 * the second finds the condition false. Thread-safe.
 */
public final class JdbcDriftStore implements DriftStore {
    private static final String COLUMNS = "repo, folder, environment, first_seen, last_check_start, next_due, last_run_id, "
            + "check_pending, state, state_reason, consecutive_failures, result_run_id, result_at";
    private static final String KEY = "repo = ? AND folder = ? AND environment = ?";
    private static final String UNCLAIMED = "(claim_until IS NULL OR claim_until < ?)";

    private final Transactions transactions;
    private final Clock clock;
    private final AuditOutboxTable audit;

    /** @param audit the audit outbox table in the same database: results' audit events commit with them */
    public JdbcDriftStore(DataSource dataSource, Clock clock, AuditOutboxTable audit) {
        this.transactions = new Transactions(dataSource, "run");
        this.clock = requireNonNull(clock, "clock is null");
        this.audit = requireNonNull(audit, "audit is null");
    }

    @Override
    public List<DriftRecord> all() {
        return transactions.autoCommit(connection -> query(connection, "SELECT " + COLUMNS
                + " FROM drift_targets ORDER BY repo, folder, environment", List.of()));
    }

    @Override
    public Optional<DriftRecord> find(DriftTargetId id) {
        return transactions.autoCommit(connection -> query(connection, "SELECT " + COLUMNS + " FROM drift_targets WHERE " + KEY,
                List.of(id.repo().value(), id.folder().value(), id.environment().value()))).stream().findFirst();
    }

    @Override
    public boolean add(DriftTargetId id, Instant firstSeen, Instant firstDue) {
        return transactions.autoCommit(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO drift_targets (repo, folder, environment, "
                    + "first_seen, next_due, check_pending, state, state_reason, consecutive_failures) "
                    + "VALUES (?, ?, ?, ?, ?, FALSE, ?, '', 0)")) {
                bindKey(insert, 1, id);
                insert.setObject(4, timestamp(firstSeen));
                insert.setObject(5, timestamp(firstDue));
                insert.setString(6, DriftState.UNKNOWN.label());
                return insert.executeUpdate() == 1;
            }
        }, failure -> {
            if (Transactions.isUniqueViolation(failure)) {
                return false; // another replica saw it first: its first sight stands
            }
            throw transactions.unavailable(failure);
        });
    }

    @Override
    public void remove(DriftTargetId id) {
        transactions.execute("DELETE FROM drift_targets WHERE " + KEY, id.repo().value(), id.folder().value(),
                id.environment().value());
    }

    @Override
    public List<DriftRecord> due(Instant now, int max) {
        return transactions.autoCommit(connection -> query(connection, "SELECT " + COLUMNS + " FROM drift_targets "
                + "WHERE check_pending = FALSE AND next_due <= ? AND " + UNCLAIMED
                + " ORDER BY next_due, repo, folder, environment FETCH FIRST " + Math.max(0, max) + " ROWS ONLY",
                List.of(timestamp(now), timestamp(now))));
    }

    @Override
    public int pendingChecks() {
        return transactions.autoCommit(connection -> {
            try (PreparedStatement count = connection.prepareStatement(
                    "SELECT COUNT(*) FROM drift_targets WHERE check_pending = TRUE");
                    ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        });
    }

    @Override
    public boolean claim(DriftTargetId id, String claimant, Instant now, Instant until) {
        // the conditions are checked again under the row's lock: of two replicas, the second finds it claimed
        return transactions.execute("UPDATE drift_targets SET claimed_by = ?, claim_until = ? WHERE " + KEY
                + " AND check_pending = FALSE AND next_due <= ? AND " + UNCLAIMED, claimant, timestamp(until),
                id.repo().value(), id.folder().value(), id.environment().value(), timestamp(now), timestamp(now)) == 1;
    }

    @Override
    public boolean claimNow(DriftTargetId id, String claimant, Instant now, Instant until) {
        // as claim, whenever the target is due: the pending flag and the claim still keep one check at a time
        return transactions.execute("UPDATE drift_targets SET claimed_by = ?, claim_until = ? WHERE " + KEY
                + " AND check_pending = FALSE AND " + UNCLAIMED, claimant, timestamp(until), id.repo().value(),
                id.folder().value(), id.environment().value(), timestamp(now)) == 1;
    }

    @Override
    public boolean submitted(DriftTargetId id, String claimant, RunId run, Instant start, Instant nextDue) {
        return transactions.execute("UPDATE drift_targets SET last_run_id = ?, last_check_start = ?, next_due = ?, "
                + "check_pending = TRUE, claimed_by = NULL, claim_until = NULL WHERE " + KEY + " AND claimed_by = ?",
                run.value(), timestamp(start), timestamp(nextDue), id.repo().value(), id.folder().value(),
                id.environment().value(), claimant) == 1;
    }

    @Override
    public boolean submitFailed(DriftTargetId id, String claimant, Instant start, Instant nextDue, String reason,
            Function<DriftRecord, List<AuditEvent>> auditOf) {
        Optional<List<AuditEvent>> told = transactions.inTransaction(connection -> {
            List<DriftRecord> locked = query(connection, "SELECT " + COLUMNS + " FROM drift_targets WHERE " + KEY
                    + " AND claimed_by = ? FOR UPDATE", List.of(id.repo().value(), id.folder().value(),
                            id.environment().value(), claimant));
            if (locked.isEmpty()) {
                return Optional.empty();
            }
            try (PreparedStatement update = connection.prepareStatement("UPDATE drift_targets SET last_check_start = ?, "
                    + "next_due = ?, state = ?, state_reason = ?, consecutive_failures = consecutive_failures + 1, "
                    + "result_run_id = NULL, result_at = ?, claimed_by = NULL, claim_until = NULL WHERE " + KEY)) {
                update.setObject(1, timestamp(start));
                update.setObject(2, timestamp(nextDue));
                update.setString(3, DriftState.FAILING.label());
                update.setString(4, reason);
                update.setObject(5, timestamp(start));
                bindKey(update, 6, id);
                update.executeUpdate();
            }
            List<AuditEvent> events = List.copyOf(auditOf.apply(locked.get(0)));
            audit.store(connection, events);
            return Optional.of(events);
        });
        told.ifPresent(audit::committed);
        return told.isPresent();
    }

    @Override
    public void release(DriftTargetId id, String claimant) {
        transactions.execute("UPDATE drift_targets SET claimed_by = NULL, claim_until = NULL WHERE " + KEY
                + " AND claimed_by = ?", id.repo().value(), id.folder().value(), id.environment().value(), claimant);
    }

    @Override
    public Optional<DriftState> recordResult(DriftTargetId id, RunId run, DriftState state, String reason,
            Function<DriftRecord, List<AuditEvent>> auditOf) {
        Optional<Recorded> recorded = transactions.inTransaction(connection -> {
            List<DriftRecord> locked = query(connection, "SELECT " + COLUMNS + " FROM drift_targets WHERE " + KEY
                    + " AND check_pending = TRUE AND last_run_id = ? FOR UPDATE",
                    List.of(id.repo().value(), id.folder().value(), id.environment().value(), run.value()));
            if (locked.isEmpty()) {
                return Optional.empty(); // recorded already (by this or another replica), or the target is gone
            }
            DriftRecord before = locked.get(0);
            try (PreparedStatement update = connection.prepareStatement("UPDATE drift_targets SET check_pending = FALSE, "
                    + "state = ?, state_reason = ?, consecutive_failures = ?, result_run_id = ?, result_at = ? WHERE " + KEY)) {
                update.setString(1, state.label());
                update.setString(2, reason);
                update.setInt(3, state == DriftState.FAILING ? before.consecutiveFailures() + 1 : 0);
                update.setString(4, run.value());
                update.setObject(5, timestamp(clock.instant()));
                bindKey(update, 6, id);
                update.executeUpdate();
            }
            List<AuditEvent> events = List.copyOf(auditOf.apply(before));
            audit.store(connection, events);
            return Optional.of(new Recorded(before.state(), events));
        });
        recorded.ifPresent(done -> audit.committed(done.audit()));
        return recorded.map(Recorded::before);
    }

    /** A result committed: the state it replaced, and its audit events (committed with it). */
    private record Recorded(DriftState before, List<AuditEvent> audit) {}

    private static void bindKey(PreparedStatement statement, int first, DriftTargetId id) throws SQLException {
        statement.setString(first, id.repo().value());
        statement.setString(first + 1, id.folder().value());
        statement.setString(first + 2, id.environment().value());
    }

    private static List<DriftRecord> query(Connection connection, String sql, List<Object> parameters) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                select.setObject(i + 1, parameters.get(i));
            }
            List<DriftRecord> records = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    records.add(new DriftRecord(
                            new DriftTargetId(new CatalogName(rows.getString(1)), RepoFolder.parse(rows.getString(2)),
                                    new CatalogName(rows.getString(3))),
                            rows.getObject(4, OffsetDateTime.class).toInstant(),
                            Optional.ofNullable(rows.getObject(5, OffsetDateTime.class)).map(OffsetDateTime::toInstant),
                            rows.getObject(6, OffsetDateTime.class).toInstant(),
                            Optional.ofNullable(rows.getString(7)).map(RunId::new),
                            rows.getBoolean(8),
                            DriftState.ofLabel(rows.getString(9)),
                            rows.getString(10),
                            rows.getInt(11),
                            Optional.ofNullable(rows.getString(12)).map(RunId::new),
                            Optional.ofNullable(rows.getObject(13, OffsetDateTime.class)).map(OffsetDateTime::toInstant)));
                }
            }
            return records;
        }
    }
}
