package dev.portcullis.runtime.database;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.health.Readiness;
import dev.portcullis.runtime.health.ReadinessCheck;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Ready while a connection from the service's pool answers a validation query
 * ({@link Connection#isValid}) within the timeout. Reports SQL states only: a driver's message
 * may quote the URL or the user. Thread-safe.
 */
public final class JdbcReadinessCheck implements ReadinessCheck {
    private final DataSource dataSource;
    private final int timeoutSeconds;

    /** @param timeout how long the validation query may take (rounded up to whole seconds) */
    public JdbcReadinessCheck(DataSource dataSource, Duration timeout) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.timeoutSeconds = (int) Math.max(1, Math.min(60, (timeout.toMillis() + 999) / 1000));
    }

    @Override
    public String name() {
        return "database";
    }

    @Override
    public Readiness check() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(timeoutSeconds) ? Readiness.READY
                    : Readiness.notReady("the database did not answer a validation query within " + timeoutSeconds + "s");
        } catch (SQLException e) {
            return Readiness.notReady("the database is unreachable (SQL state " + e.getSQLState() + ")");
        }
    }
}
