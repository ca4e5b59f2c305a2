package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.error.DomainException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * Source activity over JDBC, one code path for H2 and PostgreSQL. Counters are bumped by single
 * {@code UPDATE} statements, so replicas sharing a database never lose an increment. Thread-safe.
 */
public final class JdbcSourceActivityStore implements SourceActivityStore {
    private final DataSource dataSource;

    public JdbcSourceActivityStore(DataSource dataSource) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
    }

    @Override
    public void register(SourceName source, Instant now) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO audit_source_activity (source,"
                        + " watched_since, deliveries, last_delivery_at, refusals, last_refusal_at, last_refusal_reason)"
                        + " SELECT ?, ?, 0, 0, 0, 0, '' FROM audit_head WHERE id = 1 AND NOT EXISTS"
                        + " (SELECT 1 FROM audit_source_activity WHERE source = ?)")) {
            insert.setString(1, source.value());
            insert.setLong(2, now.toEpochMilli());
            insert.setString(3, source.value());
            insert.executeUpdate();
        } catch (SQLException e) {
            // "23505": another replica registered it between our check and our insert
            if (!"23505".equals(e.getSQLState())) {
                throw unavailable(e);
            }
        }
    }

    @Override
    public void recordDeliveries(SourceName source, long count, Instant newest) {
        update("UPDATE audit_source_activity SET deliveries = deliveries + ?,"
                + " last_delivery_at = CASE WHEN last_delivery_at > ? THEN last_delivery_at ELSE ? END WHERE source = ?",
                List.of(count, newest.toEpochMilli(), newest.toEpochMilli(), source.value()));
    }

    @Override
    public void recordRefusals(SourceName source, long count, Instant newest, String newestReason) {
        update("UPDATE audit_source_activity SET refusals = refusals + ?,"
                + " last_refusal_reason = CASE WHEN last_refusal_at > ? THEN last_refusal_reason ELSE ? END,"
                + " last_refusal_at = CASE WHEN last_refusal_at > ? THEN last_refusal_at ELSE ? END WHERE source = ?",
                List.of(count, newest.toEpochMilli(), newestReason, newest.toEpochMilli(), newest.toEpochMilli(),
                        source.value()));
    }

    private void update(String sql, List<Object> parameters) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                update.setObject(i + 1, parameters.get(i));
            }
            update.executeUpdate();
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public List<SourceActivity> all() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT source, watched_since, deliveries,"
                        + " last_delivery_at, refusals, last_refusal_at, last_refusal_reason FROM audit_source_activity"
                        + " ORDER BY source");
                ResultSet rows = select.executeQuery()) {
            List<SourceActivity> all = new ArrayList<>();
            while (rows.next()) {
                all.add(new SourceActivity(new SourceName(rows.getString(1)), Instant.ofEpochMilli(rows.getLong(2)),
                        rows.getLong(3), Instant.ofEpochMilli(rows.getLong(4)), rows.getLong(5),
                        Instant.ofEpochMilli(rows.getLong(6)), rows.getString(7)));
            }
            return all;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static DomainException unavailable(SQLException e) {
        LoggerFactory.getLogger(JdbcSourceActivityStore.class).atWarn()
                .addKeyValue("sql_state", String.valueOf(e.getSQLState())).setCause(e).log("audit.store_unavailable");
        return new DomainException(DomainException.Kind.UNAVAILABLE, "STORE_UNAVAILABLE",
                "the audit store is unavailable", Map.of());
    }
}
