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
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * The (repo, folder, environment) queue locks: a row of {@code run_locks} whose primary key is
 * the lock key, so two replicas cannot both take one. Thread-safe.
 */
final class JdbcQueueLocks {
    private final Transactions transactions;
    private final Clock clock;

    JdbcQueueLocks(Transactions transactions, Clock clock) {
        this.transactions = requireNonNull(transactions, "transactions is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Takes the lock for a QUEUED run that is first in line for it. True when the run holds the
     * lock (also when it already did).
     */
    boolean tryLock(RunId id) {
        return transactions.inTransaction(connection -> {
            Optional<Run> locked = RunRows.lock(connection, id);
            if (locked.isEmpty() || locked.get().state() != RunState.QUEUED) {
                return false;
            }
            Run run = locked.get();
            Optional<String> holder = holder(connection, run.spec().lockKey());
            if (holder.isPresent()) {
                return holder.get().equals(id.value());
            }
            if (queuedAhead(connection, run) > 0) {
                return false;
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO run_locks (lock_key, run_id, acquired_at) VALUES (?, ?, ?)")) {
                insert.setString(1, run.spec().lockKey());
                insert.setString(2, id.value());
                insert.setObject(3, timestamp(clock.instant()));
                insert.executeUpdate();
            }
            return true;
        }, failure -> {
            if (Transactions.isUniqueViolation(failure)) {
                return false; // another replica took the lock first
            }
            throw transactions.unavailable(failure);
        });
    }

    /** Frees the run's lock, if it holds one, in the caller's transaction. */
    void release(Connection connection, RunId id) throws SQLException {
        try (PreparedStatement unlock = connection.prepareStatement("DELETE FROM run_locks WHERE run_id = ?")) {
            unlock.setString(1, id.value());
            unlock.executeUpdate();
        }
    }

    private static Optional<String> holder(Connection connection, String lockKey) throws SQLException {
        try (PreparedStatement held = connection.prepareStatement("SELECT run_id FROM run_locks WHERE lock_key = ?")) {
            held.setString(1, lockKey);
            try (ResultSet rows = held.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        }
    }

    private static long queuedAhead(Connection connection, Run run) throws SQLException {
        try (PreparedStatement ahead = connection.prepareStatement(
                "SELECT COUNT(*) FROM runs WHERE lock_key = ? AND state IN (" + RunRows.inList(Set.of(RunState.QUEUED))
                        + ") AND seq < ?")) {
            ahead.setString(1, run.spec().lockKey());
            ahead.setLong(2, run.sequence());
            try (ResultSet rows = ahead.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
