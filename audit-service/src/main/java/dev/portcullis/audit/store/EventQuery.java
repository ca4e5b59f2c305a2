package dev.portcullis.audit.store;

import static dev.portcullis.audit.store.JdbcAuditStore.COLUMNS;
import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of one filtered audit query, written so that the database can read the newest (or
 * oldest) matches straight off an index in sequence order and stop after {@code limit} rows,
 * whatever the parameter values: the plan must not depend on them, because PostgreSQL switches
 * a prepared statement to one generic plan after five executions.
 *
 * <ul>
 *   <li>One action, or an equality filter on actor, repo, run or trace: {@code WHERE col = ?
 *       ORDER BY seq LIMIT ?} over the {@code (col, seq)} index.
 *   <li>Several actions: one branch per action, each ordered and limited, {@code UNION ALL},
 *       ordered and limited again outside. PostgreSQL merges the branches (a Merge Append)
 *       instead of sorting every match of {@code action IN (...)}. The branches need their own
 *       {@code ORDER BY ... LIMIT}: a branch's {@code action = ?} is not known to the merge, so
 *       without it the {@code (action, seq)} order does not count as sequence order.
 *   <li>Only a time range (PostgreSQL): an {@code (event_time, seq)} b-tree cannot yield
 *       sequence order, and the primary key read backwards with a time filter crosses every row
 *       newer than the range. Each event is a point {@code (seq, event_time / 2^19)} in a GiST
 *       index (migration V20); the range is a box and the rows come out by distance from a point
 *       far to the right (newest first) or left (oldest first) of every sequence, which is
 *       sequence order: see {@link #timeRangeByDistance}.
 * </ul>
 *
 * Actions and outcomes, closed vocabularies of our own enum constants, are written into the
 * statement as literals, never taken from the caller: a generic plan for {@code action = $1}
 * expects the average action's share of rows, reads the primary key backwards filtering, and
 * crosses the whole log for a rare action; a literal is planned for what it is.
 *
 * <p>H2 gets the plain form of each; results are identical on both.
 */
final class EventQuery {
    /** Milliseconds per unit of the GiST point's y: a power of two, so the division is exact. */
    private static final double MILLIS_PER_UNIT = 524_288; // 2^19
    /** The x of the point distances are measured from: beyond every sequence number (< 2^49). */
    private static final double FAR = 0x1p50;
    /** Half the widest range ordered by distance: 2^23 units, ≈ 139 years. Wider falls back. */
    private static final long MAX_HALF_SPAN_MILLIS = 1L << 42;
    private static final String POINT = "point(seq::float8, event_time::float8 / 524288)";

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

    /** Whether {@link #timeRangeByDistance} answers this filter (PostgreSQL only). */
    static boolean isTimeRangeOnly(EventFilter filter) {
        return (filter.from().isPresent() || filter.to().isPresent()) && filter.actions().isEmpty()
                && filter.actor().isEmpty() && filter.repo().isEmpty() && filter.runId().isEmpty()
                && filter.outcome().isEmpty() && filter.traceId().isEmpty();
    }

    /** The portable form, on an equality index where the filter has one. */
    static EventQuery portable(EventFilter filter, boolean newestFirst, long afterSequence, int limit) {
        String order = newestFirst ? " ORDER BY seq DESC LIMIT ?" : " ORDER BY seq ASC LIMIT ?";
        List<Object> parameters = new ArrayList<>();
        List<String> actions = filter.actions().stream().map(AuditAction::dottedName).sorted().toList();
        if (actions.size() <= 1) {
            StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_event WHERE 1 = 1");
            actions.forEach(action -> sql.append(" AND action = '").append(action).append('\''));
            conditions(sql, parameters, filter, newestFirst, afterSequence);
            parameters.add(limit);
            return new EventQuery(sql.append(order).toString(), parameters);
        }
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM (");
        for (int i = 0; i < actions.size(); i++) {
            sql.append(i == 0 ? "(" : " UNION ALL (").append("SELECT " + COLUMNS + " FROM audit_event WHERE action = '")
                    .append(actions.get(i)).append('\'');
            conditions(sql, parameters, filter, newestFirst, afterSequence);
            sql.append(order).append(')');
            parameters.add(limit);
        }
        sql.append(") matching").append(order);
        parameters.add(limit);
        return new EventQuery(sql.toString(), parameters);
    }

    /**
     * A time-range-only filter ({@link #isTimeRangeOnly}) as a nearest-neighbour search in the
     * GiST index of points {@code (seq, event_time / 2^19)}, or empty when the range is too wide
     * for distance to keep sequence order. {@code earliest} and {@code latest} are the stored
     * events' extreme times, standing in for an open end of the range.
     *
     * <p>Why the box is exact: a millisecond's y is {@code ms * 2^-19} without rounding, so
     * consecutive milliseconds lie 2^-19 ≈ 1.9e-6 apart, more than the 1e-6 tolerance of
     * PostgreSQL's geometric comparisons; the box from {@code from * 2^-19} to
     * {@code (to - 1) * 2^-19} holds exactly the events with {@code from <= event_time < to}.
     * Likewise on x for the cursor.
     *
     * <p>Why distance is sequence order: measured from {@code (±2^50, middle of the box)}, an
     * event's distance is {@code hypot(dx, dy)} with {@code dx = 2^50 ∓ seq > 2^49} and
     * {@code |dy| <= 2^23}, which exceeds {@code dx} by less than {@code dy² / 2dx <= 1/8}. Two
     * events' {@code dx} differ by at least 1, and the float8 results near 2^50 are exact to
     * 1/8, so the nearer event is always the one further along in the wanted order.
     */
    static Optional<EventQuery> timeRangeByDistance(EventFilter filter, boolean newestFirst, long afterSequence,
            int limit, long earliest, long latest) {
        long from = filter.from().map(java.time.Instant::toEpochMilli).orElse(earliest);
        long last = filter.to().map(to -> to.toEpochMilli() - 1).orElse(latest);
        if (last < from) {
            return Optional.of(new EventQuery("SELECT " + COLUMNS + " FROM audit_event WHERE 1 = 0", List.of()));
        }
        if (last - from > 2 * MAX_HALF_SPAN_MILLIS) {
            return Optional.empty();
        }
        double firstSequence = newestFirst || afterSequence <= 0 ? 0 : afterSequence + 1;
        double lastSequence = newestFirst && afterSequence > 0 ? afterSequence - 1 : FAR / 2;
        double low = from / MILLIS_PER_UNIT;
        double high = last / MILLIS_PER_UNIT;
        String sql = "SELECT " + COLUMNS + " FROM audit_event WHERE " + POINT + " <@ box(point(?, ?), point(?, ?))"
                + " ORDER BY " + POINT + " <-> point(?, ?) LIMIT ?";
        return Optional.of(new EventQuery(sql, List.of(firstSequence, low, lastSequence, high,
                newestFirst ? FAR : -FAR, low + (high - low) / 2, limit)));
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
        filter.outcome().ifPresent(outcome -> sql.append(" AND outcome = '").append(outcome.name()).append('\''));
        equal(sql, parameters, "trace_id", filter.traceId());
    }

    private static void equal(StringBuilder sql, List<Object> parameters, String column, Optional<String> value) {
        value.ifPresent(v -> {
            sql.append(" AND ").append(column).append(" = ?");
            parameters.add(requireNonNull(v, "v is null"));
        });
    }
}
