package dev.portcullis.runtime.outbox.jdbc;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.outbox.OutboxAuditRecorder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code audit_outbox} table of a service's database (the migration is the service's own,
 * {@code V9__audit_outbox.sql} in the gateway's set): audit events that wait for the audit
 * service, in the order {@code seq} gives them. A service stores the events of a change in the
 * change's own transaction ({@link #store}) and says when it committed ({@link #committed}), so
 * the {@link JdbcAuditOutbox} relaying them ships them at once instead of at its next poll.
 *
 * <p>Thread-safe; it holds no connection of its own.
 */
public final class AuditOutboxTable {
    private static final Logger log = LoggerFactory.getLogger(JdbcAuditOutbox.class);

    private final Clock clock;
    private final List<Consumer<List<AuditEvent>>> committedListeners = new CopyOnWriteArrayList<>();

    /** @param clock stamps each row's {@code created_at} (the age the metrics report) */
    public AuditOutboxTable(Clock clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Inserts {@code events}, in order, in the caller's transaction on {@code connection} (one
     * batch): they are kept exactly when the caller's change commits. Call {@link #committed}
     * once it did.
     *
     * @throws SQLException when the insert fails; the caller's transaction should roll back
     */
    public void store(Connection connection, List<AuditEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO audit_outbox (event_id, event, created_at) VALUES (?, ?, ?)")) {
            OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
            for (AuditEvent event : events) {
                AuditEvent traced = OutboxAuditRecorder.inCurrentSpan(requireNonNull(event, "event is null"));
                insert.setObject(1, traced.eventId());
                insert.setBytes(2, AuditEvents.encode(traced));
                insert.setObject(3, now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Says that the transaction that {@link #store stored} {@code events} committed: they can be
     * shipped now. Never blocks.
     */
    public void committed(List<AuditEvent> events) {
        if (!events.isEmpty()) {
            List<AuditEvent> committed = List.copyOf(events);
            committedListeners.forEach(listener -> listener.accept(committed));
        }
    }

    /**
     * Gives {@code listener} (which must not block) the events of every transaction that
     * committed: the relay wakes up, and a test sees what a change recorded.
     */
    public void onCommitted(Consumer<List<AuditEvent>> listener) {
        committedListeners.add(requireNonNull(listener, "listener is null"));
    }

    /** A row taken for shipping: its event, or none when this version cannot read it. */
    record Row(long seq, Optional<AuditEvent> event) {}

    /**
     * Locks and returns up to {@code max} of the oldest rows, in the caller's transaction. Rows
     * another transaction locked are skipped, so replicas sharing the database ship different rows
     * side by side and never wait for each other.
     */
    static List<Row> lockOldest(Connection connection, int max) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT seq, event_id, event FROM audit_outbox "
                + "ORDER BY seq FETCH FIRST " + max + " ROWS ONLY FOR UPDATE SKIP LOCKED");
                ResultSet result = select.executeQuery()) {
            while (result.next()) {
                long seq = result.getLong(1);
                Optional<AuditEvent> event;
                try {
                    event = Optional.of(AuditEvents.decode(result.getBytes(3)));
                } catch (IllegalArgumentException e) {
                    // written by a newer version of the service: left for it (and counted as waiting), never dropped
                    log.atError().addKeyValue("event_id", result.getObject(2)).log("outbox.row_unreadable");
                    event = Optional.empty();
                }
                rows.add(new Row(seq, event));
            }
        }
        return rows;
    }

    /** Deletes the rows {@code seqs} (the audit service acknowledged their events), in the caller's transaction. */
    static void delete(Connection connection, List<Long> seqs) throws SQLException {
        if (seqs.isEmpty()) {
            return;
        }
        // the seqs are numbers we read, never input: safe to inline, one statement for the batch
        String in = seqs.stream().map(String::valueOf).collect(Collectors.joining(", "));
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM audit_outbox WHERE seq IN (" + in + ")")) {
            delete.executeUpdate();
        }
    }

    /**
     * What the table holds, on every replica together.
     *
     * @param events rows waiting
     * @param bytes their events' encoded size
     * @param oldest when the oldest of them was stored; none when the table is empty
     */
    record Contents(long events, long bytes, Optional<Instant> oldest) {
        static final Contents EMPTY = new Contents(0, 0, Optional.empty());
    }

    static Contents contents(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT COUNT(*), COALESCE(SUM(OCTET_LENGTH(event)), 0), MIN(created_at) FROM audit_outbox");
                ResultSet result = select.executeQuery()) {
            result.next();
            OffsetDateTime oldest = result.getObject(3, OffsetDateTime.class);
            return new Contents(result.getLong(1), result.getLong(2), Optional.ofNullable(oldest).map(OffsetDateTime::toInstant));
        }
    }
}
