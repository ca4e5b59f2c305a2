package dev.portcullis.gateway.store.jdbc;

import static dev.portcullis.gateway.store.jdbc.Transactions.timestamp;
import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.runtime.request.RunId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
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

    void renew(String owner, Instant until) {
        transactions.execute("UPDATE runs SET lease_until = ? WHERE owner = ?", timestamp(until), owner);
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
