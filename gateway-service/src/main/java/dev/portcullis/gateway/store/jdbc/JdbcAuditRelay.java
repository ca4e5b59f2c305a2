package dev.portcullis.gateway.store.jdbc;

import static dev.portcullis.gateway.store.jdbc.Transactions.timestamp;
import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.audit.AuditRecorder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactional outbox of run changes: their audit events go into {@code audit_pending} in
 * the change's transaction (one batch insert) and, once it committed, to the
 * {@link AuditRecorder}; their rows are deleted when the recorder took them. Events left behind
 * wait for {@link #relay}. Thread-safe.
 */
final class JdbcAuditRelay {
    private static final Logger log = LoggerFactory.getLogger(JdbcAuditRelay.class);

    private final Transactions transactions;
    private final Clock clock;
    private final AuditRecorder recorder;

    JdbcAuditRelay(Transactions transactions, Clock clock, AuditRecorder recorder) {
        this.transactions = requireNonNull(transactions, "transactions is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.recorder = requireNonNull(recorder, "recorder is null");
    }

    /** Stores {@code events} in the caller's transaction, to be handed on once it committed. */
    void store(Connection connection, List<AuditEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO audit_pending (event_id, event, created_at) VALUES (?, ?, ?)")) {
            OffsetDateTime now = timestamp(clock.instant());
            for (AuditEvent event : events) {
                insert.setObject(1, event.eventId());
                insert.setBytes(2, AuditEvents.encode(event));
                insert.setObject(3, now);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Hands committed events to the recorder, all together (the outbox syncs once for them), then
     * deletes their rows. Never throws: the change is committed, and whatever is left behind is
     * {@link #relay}'s.
     *
     * @return how many the recorder took: all of them, or none
     */
    int handOff(List<AuditEvent> events) {
        if (events.isEmpty()) {
            return 0;
        }
        try {
            recorder.recordAll(events);
        } catch (RuntimeException e) {
            // the outbox is full or broken: it reports itself unhealthy and new runs are refused; an
            // event it may have kept before it failed is relayed again, and stored once by its id
            log.atWarn().addKeyValue("event_id", events.get(0).eventId()).addKeyValue("action",
                    events.get(0).action().dottedName()).addKeyValue("events", events.size())
                    .addKeyValue("error", e.toString()).log("run.audit_handoff_deferred");
            return 0;
        }
        List<UUID> taken = events.stream().map(AuditEvent::eventId).toList();
        // the ids are UUIDs, never input: safe to inline, one statement for the whole change
        String in = taken.stream().map(id -> "'" + id + "'").collect(Collectors.joining(", "));
        transactions.autoCommit(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM audit_pending WHERE event_id IN (" + in
                    + ")")) {
                return delete.executeUpdate();
            }
        }, failure -> {
            // recorded already: a relay records them again, and the audit service stores an event id once
            log.atWarn().addKeyValue("sql_state", String.valueOf(failure.getSQLState())).setCause(failure)
                    .log("run.audit_delete_deferred");
            return 0;
        });
        return taken.size();
    }

    /**
     * Hands on up to {@code max} events stored before {@code createdBefore} that still wait,
     * oldest first, claimed until {@code claimUntil} so another replica's relay leaves them alone.
     *
     * @return how many events the recorder took
     */
    int relay(Instant createdBefore, Instant now, Instant claimUntil, int max) {
        String token = UUID.randomUUID().toString();
        List<AuditEvent> events = transactions.autoCommit(connection -> {
            if (claim(connection, token, createdBefore, now, claimUntil, max) == 0) {
                return List.of();
            }
            return claimed(connection, token);
        });
        if (events.isEmpty()) {
            return 0;
        }
        int handedOn = handOff(events);
        if (handedOn > 0) {
            log.atInfo().addKeyValue("events", handedOn).log("run.audit_relayed");
        }
        if (handedOn < events.size()) {
            // the recorder refused (outbox full): let go at once, so any replica may try again next round
            String refused = events.subList(handedOn, events.size()).stream().map(e -> "'" + e.eventId() + "'")
                    .collect(Collectors.joining(", "));
            transactions.execute("UPDATE audit_pending SET claim_token = NULL, claimed_until = NULL WHERE claim_token = ? "
                    + "AND event_id IN (" + refused + ")", token);
        }
        return handedOn;
    }

    /**
     * Claims the oldest free rows (one statement, committed at once), so another replica's relay
     * skips them; a claim that outlives its relay (the replica died) runs out at {@code claimUntil}.
     */
    private static int claim(Connection connection, String token, Instant createdBefore, Instant now, Instant claimUntil,
            int max) throws SQLException {
        String free = "created_at < ? AND (claimed_until IS NULL OR claimed_until < ?)";
        try (PreparedStatement claim = connection.prepareStatement("UPDATE audit_pending SET claim_token = ?, "
                + "claimed_until = ? WHERE " + free + " AND event_id IN (SELECT event_id FROM audit_pending WHERE " + free
                + " ORDER BY created_at FETCH FIRST " + max + " ROWS ONLY)")) {
            claim.setString(1, token);
            claim.setObject(2, timestamp(claimUntil));
            claim.setObject(3, timestamp(createdBefore));
            claim.setObject(4, timestamp(now));
            claim.setObject(5, timestamp(createdBefore));
            claim.setObject(6, timestamp(now));
            return claim.executeUpdate();
        }
    }

    private static List<AuditEvent> claimed(Connection connection, String token) throws SQLException {
        List<AuditEvent> events = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT event_id, event FROM audit_pending WHERE claim_token = ? ORDER BY created_at")) {
            select.setString(1, token);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    try {
                        events.add(AuditEvents.decode(rows.getBytes(2)));
                    } catch (IllegalArgumentException e) {
                        // written by a newer gateway: left for it (and counted as pending), never dropped
                        log.atError().addKeyValue("event_id", rows.getObject(1)).log("run.audit_row_unreadable");
                    }
                }
            }
        }
        return events;
    }

    /** How many events wait to be handed to the recorder, on every replica together. */
    long pending() {
        return transactions.autoCommit(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM audit_pending");
                    ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }
}
