package dev.portcullis.runtime.outbox.jdbc;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.outbox.AuditShipper;
import dev.portcullis.runtime.outbox.FailureStreak;
import dev.portcullis.runtime.outbox.OutboxConfig;
import dev.portcullis.runtime.outbox.OutboxFullException;
import dev.portcullis.runtime.outbox.OutboxRecorder;
import dev.portcullis.runtime.outbox.OutboxThread;
import dev.portcullis.runtime.outbox.jdbc.AuditOutboxTable.Contents;
import dev.portcullis.runtime.outbox.jdbc.AuditOutboxTable.Row;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable, ordered audit delivery for a service with a database: {@link #record} inserts the
 * event into the {@link AuditOutboxTable} and returns once it committed (a service storing the
 * events of a change in the change's own transaction uses {@link AuditOutboxTable#store}); a
 * relay thread ships the oldest rows, in {@code seq} order and in batches, through the
 * {@link AuditShipper}, and deletes them in the same transaction only after the audit service
 * acknowledged them. No disk spool is in the path: what is acknowledged to a caller is in the
 * database, and survives the loss of the pod.
 *
 * <p>Replicas sharing the database relay side by side: a batch's rows stay locked
 * ({@code SELECT … FOR UPDATE SKIP LOCKED}, on PostgreSQL and H2) until they are deleted or the relay's
 * transaction ends, so no two replicas ship a row at once, and a replica that dies mid-batch
 * leaves its rows to the others. A failure is retried after a backoff ({@link FailureStreak}); a batch
 * acknowledged but not deleted (the database failed after the audit service answered) is shipped
 * again, which is harmless: the audit service stores an event id once.
 *
 * <p>The table's size bound is {@code max-spool-bytes}: when the events waiting (on every
 * replica together, as the relay last counted them) reach it, {@code record} refuses events and
 * {@link #healthy()} turns false, so callers fail closed.
 *
 * <p>Lifecycle: the constructor accepts events; {@link #startShipping()} starts the relay;
 * {@link #close()} ends both. Both are idempotent; a closed outbox does not start again.
 * Thread-safe.
 */
public final class JdbcAuditOutbox implements OutboxRecorder, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JdbcAuditOutbox.class);

    private enum State { OPEN, SHIPPING, CLOSED }

    private final DataSource dataSource;
    private final AuditOutboxTable table;
    private final OutboxConfig config;
    private final AuditShipper shipper;
    private final Clock clock;
    private final OutboxThread relay;
    private final AtomicLong deliveryFailures = new AtomicLong();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock: the lifecycle (moved only forwards), whether committed events wait to be
    // relayed, what the table held when the relay last counted, whether the last insert failed,
    // and whether an event was refused for space since the relay last made progress.
    private State state = State.OPEN;
    private boolean committedSinceRelay;
    private Contents contents = Contents.EMPTY;
    private boolean insertFailing;
    private boolean refusedForSpace;

    /**
     * An outbox over {@code table} in {@code dataSource}, whose migrations created
     * {@code audit_outbox}. Nothing is read until {@link #startShipping()}.
     */
    public JdbcAuditOutbox(DataSource dataSource, AuditOutboxTable table, OutboxConfig config, AuditShipper shipper,
            Clock clock) {
        this.dataSource = requireNonNull(dataSource, "dataSource is null");
        this.table = requireNonNull(table, "table is null");
        this.config = requireNonNull(config, "config is null");
        this.shipper = requireNonNull(shipper, "shipper is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.relay = new OutboxThread("audit-outbox-relay", this::run);
        table.onCommitted(committed -> wake());
    }

    /**
     * Inserts {@code event} and returns once it committed.
     *
     * @throws OutboxFullException when the table is at its size bound; the event was not recorded
     * @throws IllegalStateException when the outbox is closed or the database failed, as {@link #recordAll}
     */
    @Override
    public void record(AuditEvent event) {
        recordAll(List.of(requireNonNull(event, "event is null")));
    }

    /**
     * Inserts {@code events} in order in one transaction: all or none.
     *
     * @throws OutboxFullException when the table is at its size bound; no event was recorded
     * @throws IllegalStateException when the outbox is closed (nothing was recorded), or the
     *     database failed: then none was recorded, unless only the commit's acknowledgement was
     *     lost, and recording them again is harmless (the audit service stores an event id once)
     */
    @Override
    public void recordAll(List<AuditEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            if (state == State.CLOSED) {
                throw new IllegalStateException("the audit outbox is closed");
            }
            if (contents.bytes() >= config.maxSpoolBytes()) {
                refusedForSpace = true;
                throw new OutboxFullException(contents.bytes(), config.maxSpoolBytes());
            }
        } finally {
            lock.unlock();
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                table.store(connection, events);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollBack(connection, e);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            inserted(false);
            // the SQL and driver text stay in our log
            log.atWarn().addKeyValue("sql_state", String.valueOf(e.getSQLState())).setCause(e).log("outbox.insert_failed");
            throw new IllegalStateException("the audit outbox table cannot be written (SQL state " + e.getSQLState() + ")");
        }
        inserted(true);
        table.committed(events);
    }

    /**
     * True when new events can be recorded: the outbox is open, no insert failed since the table
     * last answered (an insert, or the relay's count), the table is below its size bound, and no event has been refused for space since the relay
     * last made progress. Does not block on I/O.
     */
    @Override
    public boolean healthy() {
        lock.lock();
        try {
            return state != State.CLOSED && !insertFailing && !refusedForSpace && contents.bytes() < config.maxSpoolBytes();
        } finally {
            lock.unlock();
        }
    }

    /** Events waiting in the table, on every replica together, as the relay last counted them. */
    @Override
    public long backlog() {
        lock.lock();
        try {
            return contents.events();
        } finally {
            lock.unlock();
        }
    }

    /** How long the oldest event in the table has waited, as the relay last saw it; zero when none waits. */
    @Override
    public Duration oldestUnacknowledgedAge() {
        Optional<Instant> oldest;
        lock.lock();
        try {
            oldest = contents.oldest();
        } finally {
            lock.unlock();
        }
        return oldest.map(at -> Duration.ofMillis(Math.max(0, clock.millis() - at.toEpochMilli()))).orElse(Duration.ZERO);
    }

    @Override
    public long deliveryFailures() {
        return deliveryFailures.get();
    }

    /**
     * Starts the relay thread. Idempotent.
     *
     * @throws IllegalStateException when the outbox is closed
     */
    @Override
    public void startShipping() {
        lock.lock();
        try {
            switch (state) {
                case OPEN -> {
                    relay.start();
                    state = State.SHIPPING;
                }
                case SHIPPING -> { } // already shipping
                case CLOSED -> throw new IllegalStateException("the audit outbox is closed");
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses new events and stops the relay, giving a batch in flight up to
     * {@code shutdown-flush-timeout}; what was not acknowledged stays in the table for any
     * replica. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        boolean interrupted = relay.awaitExit(config.shutdownFlushTimeout().plusMillis(100));
        if (relay.isAlive()) {
            relay.interrupt(); // a call still waiting on the audit service: its rows stay, unlocked by the rollback
            interrupted |= relay.awaitExit(Duration.ofSeconds(2));
            if (relay.isAlive()) {
                log.atWarn().log("outbox.relay_not_stopped");
            }
        }
        log.atInfo().addKeyValue("backlog", backlog()).log("outbox.closed");
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        FailureStreak streak = new FailureStreak(log, config, clock);
        while (!closed()) {
            int shipped;
            try {
                shipped = relayOnce();
            } catch (Exception e) { // a shipper or the database may fail in any way; each is retried
                deliveryFailures.incrementAndGet();
                count();
                if (closed()) {
                    log.atWarn().addKeyValue("backlog", backlog()).addKeyValue("failure", e.toString())
                            .log("outbox.final_delivery_failed");
                    return;
                }
                await(streak.failed(e, backlog()), false);
                continue;
            }
            count();
            streak.succeeded();
            if (shipped < config.batchSize()) {
                // the table held no more when the batch was read; what committed since woke us already,
                // so waiting here costs nothing, and reading it again at once would be a round for nothing
                await(config.pollInterval(), true);
            }
        }
    }

    /**
     * Ships the oldest batch no other replica holds and deletes it, in one transaction.
     *
     * @return how many events the audit service acknowledged
     */
    private int relayOnce() throws Exception {
        int shipped;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                List<Row> rows = AuditOutboxTable.lockOldest(connection, config.batchSize());
                List<AuditEvent> events = rows.stream().flatMap(row -> row.event().stream()).toList();
                if (!events.isEmpty()) {
                    shipper.ship(events);
                }
                AuditOutboxTable.delete(connection, rows.stream().filter(row -> row.event().isPresent()).map(Row::seq).toList());
                connection.commit();
                shipped = events.size();
                if (shipped > 0) {
                    progressed();
                }
            } catch (Exception e) {
                rollBack(connection, e);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
        return shipped;
    }

    /**
     * Counts what the table holds, for the size bound and the metrics; a failure keeps the last
     * count. A count that succeeds also ends an insert failure: the table answers again, and a
     * service that is not ready records nothing that could tell.
     */
    private void count() {
        Contents counted;
        try (Connection connection = dataSource.getConnection()) {
            counted = AuditOutboxTable.contents(connection);
        } catch (SQLException e) {
            log.atWarn().addKeyValue("sql_state", String.valueOf(e.getSQLState())).log("outbox.count_failed");
            return;
        }
        lock.lock();
        try {
            contents = counted;
            insertFailing = false;
        } finally {
            lock.unlock();
        }
    }


    private void progressed() {
        lock.lock();
        try {
            refusedForSpace = false;
        } finally {
            lock.unlock();
        }
    }

    private void inserted(boolean succeeded) {
        lock.lock();
        try {
            insertFailing = !succeeded;
        } finally {
            lock.unlock();
        }
    }

    private void wake() {
        lock.lock();
        try {
            committedSinceRelay = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private boolean closed() {
        lock.lock();
        try {
            return state == State.CLOSED;
        } finally {
            lock.unlock();
        }
    }

    /** Waits {@code delay}, or less when the outbox closes or ({@code wakeable}) events were committed. */
    private void await(Duration delay, boolean wakeable) {
        lock.lock();
        try {
            long remaining = delay.toNanos();
            while (state != State.CLOSED && !(wakeable && committedSinceRelay) && remaining > 0) {
                remaining = changed.awaitNanos(remaining);
            }
            if (wakeable) {
                committedSinceRelay = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private static void rollBack(Connection connection, Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }
}
