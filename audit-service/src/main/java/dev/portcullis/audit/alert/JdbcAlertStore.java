package dev.portcullis.audit.alert;

import dev.portcullis.runtime.json.CanonicalJson;
import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.alert.Alert.Severity;
import dev.portcullis.runtime.error.DomainException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts in a SQL database (H2 2.x or PostgreSQL 15, schema {@code V2__alerts.sql}), with one
 * code path for both. Sequences come from a one-row counter incremented in the same transaction
 * as the insert: the row lock makes a second replica wait until the first commits, so sequences
 * are dense, unique and become visible in order. Thread-safe; every call takes its own
 * connection from the pool and blocks on the database.
 */
public final class JdbcAlertStore implements AlertStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcAlertStore.class);
    private static final int MAX_ERROR = 1024;
    private static final int MAX_SINK = 128;
    private static final String COLUMNS = "sequence, raised_at, rule, severity, summary, event_ids, attributes";

    private final DataSource dataSource;
    private final Clock clock;

    public JdbcAlertStore(DataSource dataSource, Clock clock) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public StoredAlert append(Alert alert) {
        return appendAll(List.of(requireNonNull(alert, "alert is null"))).get(0);
    }

    @Override
    public List<StoredAlert> appendAll(List<Alert> alerts) {
        List<Alert> batch = List.copyOf(alerts);
        if (batch.isEmpty()) {
            return List.of();
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                long first = nextSequences(connection, batch.size());
                List<StoredAlert> stored = new ArrayList<>(batch.size());
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO audit_alert (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                    for (Alert alert : batch) {
                        long sequence = first + stored.size();
                        insert.setLong(1, sequence);
                        insert.setLong(2, alert.raisedAt().toEpochMilli());
                        insert.setString(3, alert.rule());
                        insert.setString(4, alert.severity().name());
                        insert.setString(5, alert.summary());
                        insert.setString(6, CanonicalJson.array(alert.eventIds().stream().map(UUID::toString).toList()));
                        insert.setString(7, CanonicalJson.object(alert.attributes()));
                        insert.addBatch();
                        stored.add(new StoredAlert(sequence, alert));
                    }
                    insert.executeBatch();
                }
                connection.commit();
                return List.copyOf(stored);
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            } finally {
                connection.setAutoCommit(true); // a pooled connection goes back as it came
            }
        } catch (SQLException e) {
            throw unavailable("append", e);
        }
    }

    /** Takes {@code count} sequences off the counter and returns the first of them. */
    private static long nextSequences(Connection connection, int count) throws SQLException {
        // the UPDATE takes the counter's row lock until commit; a concurrent append waits for it
        try (PreparedStatement bump = connection.prepareStatement(
                "UPDATE audit_alert_counter SET last_sequence = last_sequence + ? WHERE id = 1")) {
            bump.setInt(1, count);
            if (bump.executeUpdate() != 1) {
                throw new SQLException("audit_alert_counter has no row 1: was V2__alerts.sql applied?");
            }
        }
        try (PreparedStatement read = connection.prepareStatement("SELECT last_sequence FROM audit_alert_counter WHERE id = 1");
                ResultSet row = read.executeQuery()) {
            row.next();
            return row.getLong(1) - count + 1;
        }
    }

    @Override
    public List<StoredAlert> list(Optional<Instant> since, Optional<String> rule, long beforeSequence, int limit) {
        requireNonNull(since, "since is null");
        requireNonNull(rule, "rule is null");
        checkLimit(limit);
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_alert WHERE sequence < ?");
        since.ifPresent(s -> sql.append(" AND raised_at >= ?"));
        rule.ifPresent(r -> sql.append(" AND rule = ?"));
        sql.append(" ORDER BY sequence DESC LIMIT ?");
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(sql.toString())) {
            int parameter = 1;
            query.setLong(parameter++, beforeSequence);
            if (since.isPresent()) {
                query.setLong(parameter++, since.get().toEpochMilli());
            }
            if (rule.isPresent()) {
                query.setString(parameter++, rule.get());
            }
            query.setInt(parameter, limit);
            return read(query);
        } catch (SQLException e) {
            throw unavailable("list", e);
        }
    }

    @Override
    public List<StoredAlert> after(long sequence, int limit) {
        checkLimit(limit);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT " + COLUMNS + " FROM audit_alert WHERE sequence > ? ORDER BY sequence ASC LIMIT ?")) {
            query.setLong(1, sequence);
            query.setInt(2, limit);
            return read(query);
        } catch (SQLException e) {
            throw unavailable("after", e);
        }
    }

    @Override
    public void recordDeadLetter(StoredAlert alert, String sink, int attempts, String lastError) {
        requireNonNull(alert, "alert is null");
        requireNonNull(sink, "sink is null");
        requireNonNull(lastError, "lastError is null");
        if (sink.isEmpty() || sink.length() > MAX_SINK) {
            throw new IllegalArgumentException("sink must be 1-" + MAX_SINK + " characters");
        }
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative");
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO audit_alert_dead_letter (alert_sequence, sink, attempts, last_error, recorded_at)"
                                + " VALUES (?, ?, ?, ?, ?)")) {
            insert.setLong(1, alert.sequence());
            insert.setString(2, sink);
            insert.setInt(3, attempts);
            insert.setString(4, lastError.length() > MAX_ERROR ? lastError.substring(0, MAX_ERROR) : lastError);
            insert.setLong(5, clock.millis());
            insert.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("recordDeadLetter", e);
        }
    }

    @Override
    public List<DeadLetter> deadLetters() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT alert_sequence, sink, attempts, last_error, recorded_at FROM audit_alert_dead_letter ORDER BY id");
                ResultSet rows = query.executeQuery()) {
            List<DeadLetter> letters = new ArrayList<>();
            while (rows.next()) {
                letters.add(new DeadLetter(rows.getLong(1), rows.getString(2), rows.getInt(3), rows.getString(4),
                        Instant.ofEpochMilli(rows.getLong(5))));
            }
            return List.copyOf(letters);
        } catch (SQLException e) {
            throw unavailable("deadLetters", e);
        }
    }

    private static List<StoredAlert> read(PreparedStatement query) throws SQLException {
        List<StoredAlert> alerts = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                List<UUID> eventIds = CanonicalJson.parseArray(rows.getString(6)).stream().map(UUID::fromString).toList();
                Map<String, String> attributes = CanonicalJson.parseObject(rows.getString(7));
                Alert alert = new Alert(rows.getString(3), Severity.valueOf(rows.getString(4)), rows.getString(5),
                        eventIds, attributes, Instant.ofEpochMilli(rows.getLong(2)));
                alerts.add(new StoredAlert(rows.getLong(1), alert));
            }
        }
        return List.copyOf(alerts);
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE);
        }
    }

    private static DomainException unavailable(String operation, SQLException e) {
        // DomainException carries no cause (its text goes to callers), so the detail is logged here, once
        log.atWarn().setMessage("alert_store_failed").addKeyValue("operation", operation)
                .addKeyValue("sql_state", e.getSQLState()).setCause(e).log();
        return new DomainException(DomainException.Kind.UNAVAILABLE, "STORE_UNAVAILABLE",
                "the alert store could not be reached", Map.of());
    }
}
