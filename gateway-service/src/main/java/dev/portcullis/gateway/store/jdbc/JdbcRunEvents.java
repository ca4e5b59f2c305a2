package dev.portcullis.gateway.store.jdbc;

import static dev.portcullis.runtime.database.Transactions.timestamp;
import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.RunChange;
import dev.portcullis.gateway.run.RunEvent;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.runtime.database.Transactions;
import dev.portcullis.runtime.request.RunId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A run's events in {@code run_events}: its state changes and the log lines copied from its task,
 * numbered by offset from 0 without gaps. Writes join the caller's transaction. Thread-safe.
 */
final class JdbcRunEvents {
    private final Transactions transactions;

    JdbcRunEvents(Transactions transactions) {
        this.transactions = requireNonNull(transactions, "transactions is null");
    }

    /** Appends {@code lines} from {@code offset} on; the offset after the last. */
    long appendLines(Connection connection, RunId id, long offset, List<RunChange.Line> lines) throws SQLException {
        if (lines.isEmpty()) {
            return offset;
        }
        long next = offset;
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO run_events (run_id, event_offset, "
                + "event_time, kind, state, exit_code, body, redacted) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)")) {
            for (RunChange.Line line : lines) {
                insert.setString(1, id.value());
                insert.setLong(2, next++);
                insert.setObject(3, timestamp(line.time()));
                insert.setString(4, line.stream().name());
                insert.setString(5, line.text());
                insert.setBoolean(6, line.redacted());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        return next;
    }

    /** Appends the run's move to {@code state} at {@code offset}. */
    void appendState(Connection connection, RunId id, long offset, Instant time, RunState state, String reason,
            Optional<Integer> exitCode) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO run_events (run_id, event_offset, event_time, "
                + "kind, state, exit_code, body, redacted) VALUES (?, ?, ?, 'STATE', ?, ?, ?, FALSE)")) {
            insert.setString(1, id.value());
            insert.setLong(2, offset);
            insert.setObject(3, timestamp(time));
            insert.setString(4, state.name());
            insert.setObject(5, exitCode.orElse(null), Types.INTEGER);
            insert.setString(6, reason);
            insert.executeUpdate();
        }
    }

    /** Up to {@code max} events of the run from {@code fromOffset}, in order. */
    List<RunEvent> read(RunId id, long fromOffset, int max) {
        String sql = "SELECT event_offset, event_time, kind, state, exit_code, body, redacted FROM run_events "
                + "WHERE run_id = ? AND event_offset >= ? ORDER BY event_offset FETCH FIRST " + max + " ROWS ONLY";
        return transactions.autoCommit(connection -> {
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                select.setString(1, id.value());
                select.setLong(2, fromOffset);
                List<RunEvent> events = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        events.add(event(rows));
                    }
                }
                return events;
            }
        });
    }

    private static RunEvent event(ResultSet row) throws SQLException {
        long offset = row.getLong(1);
        Instant time = row.getObject(2, OffsetDateTime.class).toInstant();
        String kind = row.getString(3);
        if ("STATE".equals(kind)) {
            int exit = row.getInt(5);
            boolean exited = !row.wasNull();
            return new RunEvent.StateChanged(offset, time, RunState.valueOf(row.getString(4)), row.getString(6), exit, exited);
        }
        return new RunEvent.LogLine(offset, time, RunEvent.Stream.valueOf(kind), row.getString(6), row.getBoolean(7));
    }
}
