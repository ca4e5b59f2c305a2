package dev.portcullis.audit.witness;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.error.DomainException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * Witness publication state in {@code audit_witness_cursor} (migration {@code V21}) and the
 * verified cosignatures in {@code audit_witness_cosignature} ({@code V22}), one code
 * path for H2 and PostgreSQL. Thread-safe; every call takes its own connection and blocks on the
 * database.
 */
public final class JdbcWitnessStore implements WitnessStore {
    private final DataSource dataSource;

    public JdbcWitnessStore(DataSource dataSource) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
    }

    @Override
    public Optional<WitnessCursor> cursor(String sink) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT published_size, witness_size, failures,"
                        + " inconsistent_size FROM audit_witness_cursor WHERE sink = ?")) {
            select.setString(1, sink);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new WitnessCursor(sink, row.getLong(1), row.getLong(2), row.getInt(3), row.getLong(4)));
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public void save(WitnessCursor cursor) {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement update = connection.prepareStatement("UPDATE audit_witness_cursor SET published_size = ?,"
                    + " witness_size = ?, failures = ?, inconsistent_size = ? WHERE sink = ?")) {
                bind(update, cursor);
                if (update.executeUpdate() > 0) {
                    return;
                }
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO audit_witness_cursor"
                    + " (published_size, witness_size, failures, inconsistent_size, sink) VALUES (?, ?, ?, ?, ?)")) {
                bind(insert, cursor);
                insert.executeUpdate();
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                // another replica inserted the row first; its state is as good as ours
                return;
            }
            throw unavailable(e);
        }
    }

    @Override
    public void saveCosignatures(String sink, long treeSize, List<Cosignature> cosignatures) {
        if (cosignatures.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            for (Cosignature cosignature : cosignatures) {
                // one statement each: a row another replica wrote first is left as it is
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO audit_witness_cosignature"
                        + " (sink, tree_size, key_name, cosigned_at, line) VALUES (?, ?, ?, ?, ?)")) {
                    insert.setString(1, sink);
                    insert.setLong(2, treeSize);
                    insert.setString(3, cosignature.keyName());
                    insert.setLong(4, cosignature.timestamp().toEpochMilli());
                    insert.setString(5, cosignature.line());
                    insert.executeUpdate();
                } catch (SQLException e) {
                    if (!"23505".equals(e.getSQLState())) {
                        throw e;
                    }
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Map<String, List<Cosignature>> cosignatures(long treeSize) {
        Map<String, List<Cosignature>> bySink = new TreeMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("SELECT sink, key_name, cosigned_at, line"
                        + " FROM audit_witness_cosignature WHERE tree_size = ? ORDER BY sink, key_name")) {
            select.setLong(1, treeSize);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    bySink.computeIfAbsent(row.getString(1), sink -> new ArrayList<>())
                            .add(new Cosignature(row.getString(2), Instant.ofEpochMilli(row.getLong(3)), row.getString(4)));
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        Map<String, List<Cosignature>> copy = new TreeMap<>();
        bySink.forEach((sink, list) -> copy.put(sink, List.copyOf(list)));
        return Collections.unmodifiableMap(copy);
    }

    private static void bind(PreparedStatement statement, WitnessCursor cursor) throws SQLException {
        statement.setLong(1, cursor.publishedSize());
        statement.setLong(2, cursor.witnessSize());
        statement.setInt(3, cursor.failures());
        statement.setLong(4, cursor.inconsistentSize());
        statement.setString(5, cursor.sink());
    }

    private static DomainException unavailable(SQLException e) {
        // the SQL and driver text stay in our log
        LoggerFactory.getLogger(JdbcWitnessStore.class).atWarn()
                .addKeyValue("sql_state", String.valueOf(e.getSQLState())).setCause(e).log("audit.witness_store_unavailable");
        return new DomainException(DomainException.Kind.UNAVAILABLE, "STORE_UNAVAILABLE", "the audit store is unavailable", Map.of());
    }
}
