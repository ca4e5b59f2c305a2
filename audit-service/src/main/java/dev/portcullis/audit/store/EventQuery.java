package dev.portcullis.audit.store;

import static dev.portcullis.audit.store.JdbcAuditStore.COLUMNS;
import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The SQL of one filtered audit query: {@code WHERE ... ORDER BY seq LIMIT ?}, a keyset cursor on seq. */
final class EventQuery {
    private final String sql;
    private final List<Object> parameters;

    private EventQuery(String sql, List<Object> parameters) {
        this.sql = sql;
        this.parameters = List.copyOf(parameters);
    }

    String sql() {
        return sql;
    }

    List<Object> parameters() {
        return parameters;
    }

    /** The statement for {@code filter}, after the cursor in that order. */
    static EventQuery of(EventFilter filter, boolean newestFirst, long afterSequence, int limit) {
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_event WHERE 1 = 1");
        List<String> actions = filter.actions().stream().map(AuditAction::dottedName).sorted().toList();
        if (!actions.isEmpty()) {
            sql.append(" AND action IN (").append(String.join(",", java.util.Collections.nCopies(actions.size(), "?"))).append(')');
            parameters.addAll(actions);
        }
        conditions(sql, parameters, filter, newestFirst, afterSequence);
        sql.append(newestFirst ? " ORDER BY seq DESC LIMIT ?" : " ORDER BY seq ASC LIMIT ?");
        parameters.add(limit);
        return new EventQuery(sql.toString(), parameters);
    }

    private static void conditions(StringBuilder sql, List<Object> parameters, EventFilter filter, boolean newestFirst,
            long afterSequence) {
        if (afterSequence > 0) {
            sql.append(newestFirst ? " AND seq < ?" : " AND seq > ?");
            parameters.add(afterSequence);
        }
        filter.from().ifPresent(from -> {
            sql.append(" AND event_time >= ?");
            parameters.add(from.toEpochMilli());
        });
        filter.to().ifPresent(to -> {
            sql.append(" AND event_time < ?");
            parameters.add(to.toEpochMilli());
        });
        equal(sql, parameters, "actor", filter.actor());
        equal(sql, parameters, "repo", filter.repo());
        equal(sql, parameters, "run_id", filter.runId());
        equal(sql, parameters, "outcome", filter.outcome().map(Enum::name));
        equal(sql, parameters, "trace_id", filter.traceId());
    }

    private static void equal(StringBuilder sql, List<Object> parameters, String column, Optional<String> value) {
        value.ifPresent(v -> {
            sql.append(" AND ").append(column).append(" = ?");
            parameters.add(requireNonNull(v, "v is null"));
        });
    }
}
