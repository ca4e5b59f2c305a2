package db.audit;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Audit queries by time range alone, on PostgreSQL: every event as the point
 * {@code (seq, event_time / 2^19)} in a GiST index, searched by box and read in sequence order
 * by distance (see {@code dev.portcullis.audit.store.EventQuery}). H2 has no GiST and keeps
 * answering from the {@code (event_time, seq)} b-tree, so this migration is Java: it runs the
 * statement on PostgreSQL only. Numbered 20 to stay clear of the append path's migrations.
 */
public final class V20__query_indexes extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws SQLException {
        Connection connection = context.getConnection();
        if (!connection.getMetaData().getDatabaseProductName().equals("PostgreSQL")) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE INDEX audit_event_time_point ON audit_event"
                    + " USING gist (point(seq::float8, event_time::float8 / 524288))");
        }
    }
}
