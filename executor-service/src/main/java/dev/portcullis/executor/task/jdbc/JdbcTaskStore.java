package dev.portcullis.executor.task.jdbc;

import static dev.portcullis.runtime.database.Transactions.timestamp;
import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.task.Task;
import dev.portcullis.executor.task.TaskCodec;
import dev.portcullis.executor.task.TaskEvent;
import dev.portcullis.executor.task.TaskState;
import dev.portcullis.executor.task.TaskStore;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.database.Transactions;
import dev.portcullis.runtime.outbox.jdbc.AuditOutboxTable;
import dev.portcullis.runtime.request.RunId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The task store on JDBC: embedded H2 by default, PostgreSQL shared by every executor replica in
 * production; the schema is Flyway's {@code db/executor}. A task's run id is the primary key of
 * {@code tasks}, so of two replicas starting the same run concurrently exactly one stores a task;
 * an event's (run id, offset) is the key of {@code task_events}, so no offset is ever written
 * twice. Leases are the {@code holder} and {@code lease_until} columns, as the gateway's run
 * claims are. Thread-safe.
 */
public final class JdbcTaskStore implements TaskStore {
    private static final String UNFINISHED = Arrays.stream(TaskState.values()).filter(state -> !state.isFinal())
            .map(state -> "'" + state.name() + "'").collect(Collectors.joining(", "));
    private static final String FINISHED = Arrays.stream(TaskState.values()).filter(TaskState::isFinal)
            .map(state -> "'" + state.name() + "'").collect(Collectors.joining(", "));

    private final Transactions transactions;
    private final AuditOutboxTable outbox; // null: this store keeps no audit events

    /**
     * The embedded H2 database in {@code dataDir}, the default; a task's state that StartTask
     * answered with, or a log line a watcher saw, outlives the executor's process
     * ({@link Databases#embeddedH2}).
     */
    public static String embeddedUrl(Path dataDir) {
        return Databases.embeddedH2(dataDir, "tasks");
    }

    /**
     * A store that keeps no audit events: the caller records them ({@link #keepsAudit} is false).
     *
     * @param dataSource migrated to {@code db/executor} ({@code Databases.open("executor", …)})
     */
    public JdbcTaskStore(DataSource dataSource) {
        this.transactions = new Transactions(dataSource, "task");
        this.outbox = null;
    }

    /**
     * A store that keeps the audit events of a change in {@code outbox}, the audit outbox table of
     * the same database, in the change's transaction; the service's {@code JdbcAuditOutbox} ships them.
     */
    public JdbcTaskStore(DataSource dataSource, AuditOutboxTable outbox) {
        this.transactions = new Transactions(dataSource, "task");
        this.outbox = requireNonNull(outbox, "outbox is null");
    }

    @Override
    public boolean keepsAudit() {
        return outbox != null;
    }

    @Override
    public boolean create(Header header, TaskEvent.StateChanged first, String holder, Instant leaseUntil) {
        Task task = first.task();
        return transactions.inTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO tasks (run_id, backend, header, state, task,"
                    + " created_at, updated_at, holder, lease_until, end_audited) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE)")) {
                insert.setString(1, task.runId().value());
                insert.setString(2, header.backend().name());
                insert.setBytes(3, TaskCodec.header(header));
                insert.setString(4, task.state().name());
                insert.setBytes(5, TaskCodec.event(first));
                insert.setObject(6, timestamp(task.createdAt()));
                insert.setObject(7, timestamp(first.time()));
                insert.setString(8, holder);
                insert.setObject(9, timestamp(leaseUntil));
                insert.executeUpdate();
            }
            insertEvent(connection, task.runId(), first);
            return true;
        }, failure -> {
            if (Transactions.isUniqueViolation(failure)) {
                return false;
            }
            throw transactions.unavailable(failure);
        });
    }

    @Override
    public Optional<Stored> find(RunId runId) {
        return transactions.autoCommit(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT header, task, end_audited FROM tasks WHERE run_id = ?")) {
                select.setString(1, runId.value());
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    TaskEvent current = TaskCodec.event(row.getBytes(2));
                    return Optional.of(new Stored(TaskCodec.header(row.getBytes(1)),
                            ((TaskEvent.StateChanged) current).task(), row.getBoolean(3)));
                }
            }
        });
    }

    @Override
    public void append(RunId runId, List<TaskEvent> events, String holder, List<AuditEvent> audit) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("no events to append");
        }
        if (!audit.isEmpty() && outbox == null) {
            throw new IllegalArgumentException("this task store keeps no audit events");
        }
        for (int i = 0; i < events.size() - 1; i++) {
            if (events.get(i) instanceof TaskEvent.StateChanged changed && changed.task().state().isFinal()) {
                throw new IllegalArgumentException("a final state must be the last event appended");
            }
        }
        if (events.size() == 1 && events.get(0) instanceof TaskEvent.Line line) {
            if (!audit.isEmpty()) {
                throw new IllegalArgumentException("a log line is recorded by no audit event");
            }
            // one statement, in autocommit: the common case of a log line on its own
            if (transactions.autoCommit(connection -> insertLine(connection, runId, line, holder),
                    failure -> {
                        throw lostOr(failure, runId);
                    }) != 1) {
                throw new LeaseLostException(runId);
            }
            return;
        }
        transactions.inTransaction(connection -> {
            for (TaskEvent event : events) {
                if (event instanceof TaskEvent.Line line) {
                    if (insertLine(connection, runId, line, holder) != 1) {
                        throw new LeaseLostException(runId); // rolls the transaction back: none of the events is stored
                    }
                } else {
                    updateState(connection, runId, (TaskEvent.StateChanged) event, holder);
                    insertEvent(connection, runId, event);
                }
            }
            if (!audit.isEmpty()) {
                // with the audit outbox, a change's audit events commit with it (an end's is on the record at once)
                outbox.store(connection, audit);
            }
            return null;
        }, failure -> {
            throw lostOr(failure, runId);
        });
        if (!audit.isEmpty()) {
            outbox.committed(audit);
        }
    }

    /**
     * Inserts a log line, fenced by the lease: a replica that lost the task stores no more of its log.
     *
     * @return the rows inserted: 0 when the lease is lost
     */
    private static int insertLine(Connection connection, RunId runId, TaskEvent.Line line, String holder) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO task_events (run_id, event_offset,"
                + " kind, stream, recorded_at, event) SELECT run_id, ?, 'L', ?, ?, ? FROM tasks WHERE run_id = ?"
                + " AND holder = ?")) {
            insert.setLong(1, line.offset());
            insert.setString(2, line.stream().name());
            insert.setObject(3, timestamp(line.time()));
            insert.setBytes(4, TaskCodec.event(line));
            insert.setString(5, runId.value());
            insert.setString(6, holder);
            return insert.executeUpdate();
        }
    }

    /** Makes {@code event}'s task the current state, fenced by the lease; a final state ends the lease. */
    private void updateState(Connection connection, RunId runId, TaskEvent.StateChanged event, String holder)
            throws SQLException {
        boolean ends = event.task().state().isFinal();
        try (PreparedStatement update = connection.prepareStatement("UPDATE tasks SET state = ?, task = ?, updated_at = ?"
                + (ends ? ", holder = NULL, lease_until = NULL, cancel_reason = NULL" : "")
                + (ends && outbox != null ? ", end_audited = TRUE" : "")
                + " WHERE run_id = ? AND holder = ?")) {
            update.setString(1, event.task().state().name());
            update.setBytes(2, TaskCodec.event(event));
            update.setObject(3, timestamp(event.time()));
            update.setString(4, runId.value());
            update.setString(5, holder);
            if (update.executeUpdate() != 1) {
                throw new LeaseLostException(runId);
            }
        }
    }

    private RuntimeException lostOr(SQLException failure, RunId runId) {
        // an offset stored already: another replica followed the task on from there
        return Transactions.isUniqueViolation(failure) ? new LeaseLostException(runId) : transactions.unavailable(failure);
    }

    private static void insertEvent(Connection connection, RunId runId, TaskEvent event) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO task_events (run_id, event_offset, kind,"
                + " stream, recorded_at, event) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, runId.value());
            insert.setLong(2, event.offset());
            insert.setString(3, event instanceof TaskEvent.Line ? "L" : "T");
            insert.setString(4, event instanceof TaskEvent.Line line ? line.stream().name() : null);
            insert.setObject(5, timestamp(event.time()));
            insert.setBytes(6, TaskCodec.event(event));
            insert.executeUpdate();
        }
    }

    @Override
    public List<TaskEvent> events(RunId runId, long fromOffset, int max) {
        if (max <= 0) {
            return List.of();
        }
        return transactions.autoCommit(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT event FROM task_events WHERE run_id = ?"
                    + " AND event_offset >= ? ORDER BY event_offset FETCH FIRST " + max + " ROWS ONLY")) {
                select.setString(1, runId.value());
                select.setLong(2, Math.max(0, fromOffset));
                List<TaskEvent> events = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        events.add(TaskCodec.event(rows.getBytes(1)));
                    }
                }
                return events;
            }
        });
    }

    @Override
    public long eventCount(RunId runId) {
        return count("SELECT COALESCE(MAX(event_offset) + 1, 0) FROM task_events WHERE run_id = ?", runId);
    }

    @Override
    public long stdoutLines(RunId runId) {
        return count("SELECT COUNT(*) FROM task_events WHERE run_id = ? AND kind = 'L' AND stream = 'STDOUT'", runId);
    }

    private long count(String sql, RunId runId) {
        return transactions.autoCommit(connection -> {
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setString(1, runId.value());
                try (ResultSet row = select.executeQuery()) {
                    row.next();
                    return row.getLong(1);
                }
            }
        });
    }

    @Override
    public List<RunId> unattended(Instant now, int max) {
        return runIds("SELECT run_id FROM tasks WHERE state IN (" + UNFINISHED + ") AND (holder IS NULL OR lease_until < ?)"
                + " ORDER BY created_at FETCH FIRST " + max + " ROWS ONLY", now);
    }

    @Override
    public boolean claim(RunId runId, String holder, Instant now, Instant until) {
        return transactions.execute("UPDATE tasks SET holder = ?, lease_until = ? WHERE run_id = ? AND state IN (" + UNFINISHED
                + ") AND (holder IS NULL OR holder = ? OR lease_until < ?)", holder, timestamp(until), runId.value(), holder,
                timestamp(now)) == 1;
    }

    @Override
    public List<Held> renew(String holder, Instant until) {
        return transactions.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE tasks SET lease_until = ? WHERE holder = ?")) {
                update.setObject(1, timestamp(until));
                update.setString(2, holder);
                update.executeUpdate();
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT run_id, cancel_reason FROM tasks WHERE holder = ?")) {
                select.setString(1, holder);
                List<Held> held = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        String cancel = rows.getString(2);
                        held.add(new Held(new RunId(rows.getString(1)), cancel == null ? "" : cancel));
                    }
                }
                return held;
            }
        });
    }

    @Override
    public void release(String holder) {
        transactions.execute("UPDATE tasks SET holder = NULL, lease_until = NULL WHERE holder = ?", holder);
    }

    @Override
    public void requestCancel(RunId runId, String reason) {
        transactions.execute("UPDATE tasks SET cancel_reason = ? WHERE run_id = ? AND cancel_reason IS NULL AND state IN ("
                + UNFINISHED + ")", reason, runId.value());
    }

    @Override
    public void markEndAudited(RunId runId) {
        transactions.execute("UPDATE tasks SET end_audited = TRUE WHERE run_id = ?", runId.value());
    }

    @Override
    public List<RunId> endsNotAudited(Instant endedBefore, int max) {
        return runIds("SELECT run_id FROM tasks WHERE state IN (" + FINISHED + ") AND end_audited = FALSE AND updated_at < ?"
                + " ORDER BY updated_at FETCH FIRST " + max + " ROWS ONLY", endedBefore);
    }

    private List<RunId> runIds(String sql, Instant instant) {
        return transactions.autoCommit(connection -> {
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setObject(1, timestamp(instant));
                List<RunId> ids = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        ids.add(new RunId(rows.getString(1)));
                    }
                }
                return ids;
            }
        });
    }
}
