package dev.portcullis.gateway.store.jdbc;

import static dev.portcullis.runtime.database.Transactions.timestamp;
import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.runtime.database.Transactions;
import dev.portcullis.runtime.request.RunId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which replica drives which run: the {@code owner} and {@code lease_until} columns of
 * {@code runs}. Only runs in a driven state ({@link RunState#isDriven}) can be claimed; a lease
 * that runs out lets any replica claim the run. Thread-safe.
 */
final class JdbcLeases {
    private final Transactions transactions;

    JdbcLeases(Transactions transactions) {
        this.transactions = requireNonNull(transactions, "transactions is null");
    }

    /** Runs in {@code states} that nobody drives but {@code owner}, oldest first, without approvals or queue position. */
    List<Run> unattended(Set<RunState> states, String owner, Instant now, int max) {
        if (states.isEmpty()) {
            return List.of();
        }
        String sql = "SELECT " + RunRows.COLUMNS + " FROM runs WHERE state IN (" + RunRows.inList(states)
                + ") AND (owner IS NULL OR owner = ? OR lease_until < ?) ORDER BY seq FETCH FIRST " + max + " ROWS ONLY";
        return transactions.autoCommit(connection -> RunRows.query(connection, sql, List.of(owner, timestamp(now)), false));
    }

    boolean claim(RunId id, String owner, Instant now, Instant until) {
        return transactions.execute("UPDATE runs SET owner = ?, lease_until = ? WHERE run_id = ? AND state IN ("
                + RunRows.inList(RunState.where(RunState::isDriven)) + ") AND (owner IS NULL OR owner = ? OR lease_until < ?)",
                owner, timestamp(until), id.value(), owner, timestamp(now)) == 1;
    }

    /** Renews {@code owner}'s leases and reads which runs it holds, in one transaction. */
    Set<RunId> renew(String owner, Instant until) {
        return transactions.inTransaction(connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE runs SET lease_until = ? WHERE owner = ?")) {
                update.setObject(1, timestamp(until));
                update.setString(2, owner);
                update.executeUpdate();
            }
            Set<RunId> held = new HashSet<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT run_id FROM runs WHERE owner = ?")) {
                select.setString(1, owner);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        held.add(new RunId(rows.getString(1)));
                    }
                }
            }
            return Set.copyOf(held);
        });
    }

    /**
     * True when {@code holder} holds the run's lease at {@code now}, in the caller's transaction:
     * with the run's row locked, no other replica can claim it before the transaction ends.
     */
    boolean holds(Connection connection, RunId id, String holder, Instant now) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT 1 FROM runs WHERE run_id = ? AND owner = ? AND lease_until > ?")) {
            select.setString(1, id.value());
            select.setString(2, holder);
            select.setObject(3, timestamp(now));
            try (ResultSet rows = select.executeQuery()) {
                return rows.next();
            }
        }
    }

    /** Ends the run's lease, in the caller's transaction: a run that ended is nobody's to drive any more. */
    void release(Connection connection, RunId id) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE runs SET owner = NULL, lease_until = NULL WHERE run_id = ?")) {
            update.setString(1, id.value());
            update.executeUpdate();
        }
    }
}
