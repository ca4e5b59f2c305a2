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
 *   <li>A time range (PostgreSQL): an {@code (event_time, seq)} b-tree cannot yield sequence
 *       order, and the primary key read backwards with a time filter crosses every row newer
 *       than the range. Each event is a point {@code (seq, event_time / 2^19)} in a GiST index
 *       (migration V20); the range and cursor are a box, and rows come out by distance from a
 *       point far to the right (newest first) or left (oldest first) of every sequence, which is
 *       sequence order ({@link TimeBox}). With other filters too, PostgreSQL filters that
 *       ordered scan or intersects the box with their index.
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

    /** The portable statement: on an equality index where the filter has one, time as a b-tree range. */
    static EventQuery of(EventFilter filter, boolean newestFirst, long afterSequence, int limit) {
        return build(filter, newestFirst, afterSequence, limit, Optional.empty());
    }

    /** The PostgreSQL statement for a filter with a time range, read through {@code box}. */
    static EventQuery of(EventFilter filter, boolean newestFirst, int limit, TimeBox box) {
        return build(filter, newestFirst, 0, limit, Optional.of(box));
    }

    private static EventQuery build(EventFilter filter, boolean newestFirst, long afterSequence, int limit,
            Optional<TimeBox> box) {
        String order = newestFirst ? " ORDER BY seq DESC LIMIT ?" : " ORDER BY seq ASC LIMIT ?";
        // by distance, which is sequence order, so that the GiST index can hand rows over in order
        String branchOrder = box.isPresent() ? " ORDER BY " + POINT + " <-> point(?, ?) LIMIT ?" : order;
        List<Object> parameters = new ArrayList<>();
        List<String> actions = filter.actions().stream().map(AuditAction::dottedName).sorted().toList();
        if (actions.size() <= 1) {
            StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_event WHERE 1 = 1");
            actions.forEach(action -> sql.append(" AND action = '").append(action).append('\''));
            conditions(sql, parameters, filter, newestFirst, afterSequence, box);
            ordered(parameters, box, limit);
            return new EventQuery(sql.append(branchOrder).toString(), parameters);
        }
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM (");
        for (int i = 0; i < actions.size(); i++) {
            sql.append(i == 0 ? "(" : " UNION ALL (").append("SELECT " + COLUMNS + " FROM audit_event WHERE action = '")
                    .append(actions.get(i)).append('\'');
            conditions(sql, parameters, filter, newestFirst, afterSequence, box);
            sql.append(branchOrder).append(')');
            ordered(parameters, box, limit);
        }
        sql.append(") matching").append(order);
        parameters.add(limit);
        return new EventQuery(sql.toString(), parameters);
    }

    private static void ordered(List<Object> parameters, Optional<TimeBox> box, int limit) {
        box.ifPresent(b -> {
            parameters.add(b.originX());
            parameters.add(b.originY());
        });
        parameters.add(limit);
    }

    /**
     * A time range and cursor as a box of points {@code (seq, event_time / 2^19)} for the GiST
     * index, with the point whose distance orders the rows: for PostgreSQL.
     *
     * <p>Why the box is exact: a millisecond's y is {@code ms * 2^-19} without rounding, so
     * consecutive milliseconds lie 2^-19 ≈ 1.9e-6 apart, more than the 1e-6 tolerance of
     * PostgreSQL's geometric comparisons; the box from {@code from * 2^-19} to
     * {@code last * 2^-19} holds exactly the events with {@code from <= event_time <= last}.
     * Likewise on x for the cursor.
     *
     * <p>Why distance is sequence order: measured from {@code (±2^50, middle of the box)}, an
     * event's distance is {@code hypot(dx, dy)} with {@code dx = 2^50 ∓ seq > 2^49} and
     * {@code |dy| <= 2^23}, which exceeds {@code dx} by less than {@code dy² / 2dx <= 1/8}. Two
     * events' {@code dx} differ by at least 1, and the float8 results near 2^50 are exact to
     * 1/8, so the nearer event is always the one further along in the wanted order.
     */
    record TimeBox(double firstSequence, double low, double lastSequence, double high, double originX, double originY) {

        /**
         * Events from {@code from} to {@code last} (milliseconds, both included; {@code from <= last})
         * after the cursor; empty when the range is too wide for distance to keep sequence order.
         */
        static Optional<TimeBox> of(long from, long last, boolean newestFirst, long afterSequence) {
            if (last - from > 2 * MAX_HALF_SPAN_MILLIS) {
                return Optional.empty();
            }
            double low = from / MILLIS_PER_UNIT;
            double high = last / MILLIS_PER_UNIT;
            return Optional.of(new TimeBox(newestFirst || afterSequence <= 0 ? 0 : afterSequence + 1, low,
                    newestFirst && afterSequence > 0 ? afterSequence - 1 : FAR / 2, high,
                    newestFirst ? FAR : -FAR, low + (high - low) / 2));
        }
    }

    private static void conditions(StringBuilder sql, List<Object> parameters, EventFilter filter, boolean newestFirst,
            long afterSequence, Optional<TimeBox> box) {
        if (box.isPresent()) {
            sql.append(" AND " + POINT + " <@ box(point(?, ?), point(?, ?))");
            parameters.addAll(List.of(box.get().firstSequence(), box.get().low(), box.get().lastSequence(), box.get().high()));
        } else {
            time(sql, parameters, filter, newestFirst, afterSequence);
        }
        equal(sql, parameters, "actor", filter.actor());
        equal(sql, parameters, "repo", filter.repo());
        equal(sql, parameters, "run_id", filter.runId());
        filter.outcome().ifPresent(outcome -> sql.append(" AND outcome = '").append(outcome.name()).append('\''));
        equal(sql, parameters, "trace_id", filter.traceId());
    }

    private static void time(StringBuilder sql, List<Object> parameters, EventFilter filter, boolean newestFirst,
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
    }

    private static void equal(StringBuilder sql, List<Object> parameters, String column, Optional<String> value) {
        value.ifPresent(v -> {
            sql.append(" AND ").append(column).append(" = ?");
            parameters.add(requireNonNull(v, "v is null"));
        });
    }
}
