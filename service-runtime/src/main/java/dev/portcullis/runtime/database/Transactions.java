package dev.portcullis.runtime.database;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.error.DomainException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a JDBC store (the gateway's runs, the executor's tasks) opens a connection: a
 * transaction (READ COMMITTED, committed when the work returns, rolled back when it throws) or a
 * single auto-committed piece of work. A failure to reach the database becomes
 * {@code DomainException} UNAVAILABLE ({@code STORE_UNAVAILABLE}, "the STORE store is
 * unavailable") unless the caller's {@link Recovery} gives it a meaning. Thread-safe.
 */
public final class Transactions {
    private static final Logger log = LoggerFactory.getLogger(Transactions.class);
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final String store;

    /** @param store what the store holds, in its log event and message: {@code run}, {@code task} */
    public Transactions(DataSource dataSource, String store) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.store = requireNonNull(store, "store is null");
    }

    /** Work on a connection. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    /** What a failed piece of work means, once its transaction is rolled back; may throw. */
    @FunctionalInterface
    public interface Recovery<T> {
        T recover(SQLException failure);
    }

    /** Runs {@code work} in one transaction; a database failure is UNAVAILABLE. */
    public <T> T inTransaction(Work<T> work) {
        return inTransaction(work, failure -> {
            throw unavailable(failure);
        });
    }

    /** Runs {@code work} in one transaction; a database failure is what {@code recovery} makes of it. */
    public <T> T inTransaction(Work<T> work, Recovery<T> recovery) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            T result;
            try {
                result = work.apply(connection);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                // the work's own failure (a refused change, say) is what the caller must see, even when
                // the rollback or the reset fails as well: those ride along suppressed
                try {
                    connection.rollback();
                    connection.setAutoCommit(true);
                } catch (SQLException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            connection.setAutoCommit(true); // a pooled connection goes back as it came
            return result;
        } catch (SQLException e) {
            return recovery.recover(e);
        }
    }

    /** Runs {@code work} with each statement committed on its own; a database failure is UNAVAILABLE. */
    public <T> T autoCommit(Work<T> work) {
        return autoCommit(work, failure -> {
            throw unavailable(failure);
        });
    }

    /** Runs {@code work} with each statement committed on its own; a database failure is what {@code recovery} makes of it. */
    public <T> T autoCommit(Work<T> work, Recovery<T> recovery) {
        try (Connection connection = dataSource.getConnection()) {
            return work.apply(connection);
        } catch (SQLException e) {
            return recovery.recover(e);
        }
    }

    /** Runs one auto-committed statement with {@code parameters}; the rows it changed. */
    public int execute(String sql, Object... parameters) {
        return autoCommit(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    statement.setObject(i + 1, parameters[i]);
                }
                return statement.executeUpdate();
            }
        });
    }

    /** True when {@code failure} is a unique constraint refusing a row. */
    public static boolean isUniqueViolation(SQLException failure) {
        return UNIQUE_VIOLATION.equals(failure.getSQLState());
    }

    /** The store's UNAVAILABLE for {@code e}, logged here with its SQL state. */
    public DomainException unavailable(SQLException e) {
        // the SQL and driver text stay in our log; the caller learns only that storage is down
        log.atWarn().addKeyValue("sql_state", String.valueOf(e.getSQLState())).setCause(e).log(store + ".store_unavailable");
        return new DomainException(DomainException.Kind.UNAVAILABLE, "STORE_UNAVAILABLE", "the " + store + " store is unavailable",
                Map.of());
    }

    public static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
