package dev.portcullis.runtime.outbox.jdbc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.outbox.OutboxConfig;
import dev.portcullis.runtime.outbox.OutboxFullException;
import dev.portcullis.runtime.outbox.RecordingShipper;
import dev.portcullis.runtime.outbox.TestEvents;
import dev.portcullis.runtime.testing.TestDatabases;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The database audit outbox, run against H2 and PostgreSQL (the same migration as the services'). */
abstract class JdbcAuditOutboxContract {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private TestDatabases.Settings db;
    private HikariDataSource dataSource;
    private final List<JdbcAuditOutbox> opened = new ArrayList<>();

    protected abstract TestDatabases.Settings database();

    @BeforeEach
    void open() {
        db = database();
        dataSource = Databases.open("outbox-test", db.jdbcUrl(), db.user(), db.password(), db.schema(), 8);
    }

    @AfterEach
    void close() {
        if (db == null) { // PostgreSQL was unreachable: the test skipped before opening anything
            return;
        }
        opened.forEach(JdbcAuditOutbox::close);
        dataSource.close();
        TestDatabases.drop(db);
    }

    private JdbcAuditOutbox outbox(AuditOutboxTable table, RecordingShipper shipper, long maxBytes) {
        OutboxConfig config = new OutboxConfig(null, maxBytes, 50, Duration.ofMillis(5), Duration.ofMillis(50),
                Duration.ofSeconds(2), Duration.ofMillis(100));
        JdbcAuditOutbox outbox = new JdbcAuditOutbox(dataSource, table, config, shipper, Clock.systemUTC());
        opened.add(outbox);
        return outbox;
    }

    private JdbcAuditOutbox outbox(RecordingShipper shipper) {
        return outbox(new AuditOutboxTable(Clock.systemUTC()), shipper, 64L << 20);
    }

    private long rows() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return AuditOutboxTable.contents(connection).events();
        }
    }

    @Test
    void recordedEventsAreShippedInRecordingOrder() throws Exception {
        RecordingShipper shipper = RecordingShipper.working();
        JdbcAuditOutbox outbox = outbox(shipper);
        List<AuditEvent> events = TestEvents.numbered(120);
        outbox.startShipping();

        events.forEach(outbox::record);

        assertEquals(events, shipper.awaitShipped(events.size(), WAIT));
    }

    @Test
    void anEventRecordedWhileTheAuditServiceIsDownIsShippedAfterItComesBack() throws Exception {
        RecordingShipper shipper = RecordingShipper.alwaysFailing();
        JdbcAuditOutbox outbox = outbox(shipper);
        outbox.startShipping();
        AuditEvent event = TestEvents.numbered("main", 1);
        outbox.record(event);
        await().atMost(WAIT).until(() -> shipper.failedCalls() >= 3);

        shipper.failing(false);

        assertEquals(List.of(event), shipper.awaitShipped(1, WAIT));
    }

    @Test
    void rowsStayUntilTheAuditServiceAcknowledgedThem() throws Exception {
        RecordingShipper shipper = RecordingShipper.alwaysFailing();
        JdbcAuditOutbox outbox = outbox(shipper);
        outbox.startShipping();
        outbox.recordAll(TestEvents.numbered(5));
        await().atMost(WAIT).until(() -> shipper.failedCalls() >= 3);
        assertEquals(5, rows());

        shipper.failing(false);

        shipper.awaitShipped(5, WAIT);
        await().atMost(WAIT).until(() -> rows() == 0 && outbox.backlog() == 0);
    }

    @Test
    void aCommitWakesTheRelayForOneRoundNotASecondReadOfTheTable() throws Exception {
        RecordingShipper shipper = RecordingShipper.working();
        CountingDataSource counted = new CountingDataSource(dataSource);
        OutboxConfig config = new OutboxConfig(null, 64L << 20, 50, Duration.ofMillis(5), Duration.ofMillis(50),
                Duration.ofSeconds(2), Duration.ofHours(1)); // no poll within the test: only commits wake the relay
        JdbcAuditOutbox outbox = new JdbcAuditOutbox(counted, new AuditOutboxTable(Clock.systemUTC()), config, shipper,
                Clock.systemUTC());
        opened.add(outbox);
        outbox.startShipping();
        await().atMost(WAIT).until(() -> counted.taken() == 2); // the first round at start: the batch, the count
        AuditEvent event = TestEvents.numbered("one", 1);

        outbox.record(event); // one connection

        assertEquals(List.of(event), shipper.awaitShipped(1, WAIT));
        // the round it woke: the batch and the count, and then nothing until the next commit
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> counted.taken() == 5);
    }

    @Test
    void eventsStoredInARolledBackTransactionAreNeverShipped() throws Exception {
        RecordingShipper shipper = RecordingShipper.working();
        AuditOutboxTable table = new AuditOutboxTable(Clock.systemUTC());
        JdbcAuditOutbox outbox = outbox(table, shipper, 64L << 20);
        outbox.startShipping();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            table.store(connection, List.of(TestEvents.numbered("rolled-back", 1)));
            connection.rollback();
            connection.setAutoCommit(true);
        }

        AuditEvent committed = TestEvents.numbered("committed", 2);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            table.store(connection, List.of(committed));
            connection.commit();
            connection.setAutoCommit(true);
        }
        table.committed(List.of(committed));

        assertEquals(List.of(committed), shipper.awaitShipped(1, WAIT));
        await().atMost(WAIT).until(() -> rows() == 0);
        assertEquals(List.of(committed), shipper.shipped());
    }

    @Test
    void anOutboxOpenedLaterShipsWhatAClosedOneLeftBehind() throws Exception {
        RecordingShipper down = RecordingShipper.alwaysFailing();
        JdbcAuditOutbox first = outbox(down);
        first.startShipping();
        List<AuditEvent> events = TestEvents.numbered(30);
        first.recordAll(events);
        first.close();
        RecordingShipper up = RecordingShipper.working();

        outbox(up).startShipping();

        assertEquals(events, up.awaitShipped(events.size(), WAIT));
    }

    @Test
    void twoOutboxesOnOneDatabaseShipEachEventOnce() throws Exception {
        RecordingShipper firstShipper = RecordingShipper.working();
        RecordingShipper secondShipper = RecordingShipper.working();
        JdbcAuditOutbox first = outbox(firstShipper);
        JdbcAuditOutbox second = outbox(secondShipper);
        first.startShipping();
        second.startShipping();

        IntStream.range(0, 200).forEach(n -> (n % 2 == 0 ? first : second).record(TestEvents.numbered("both", n)));

        await().atMost(WAIT).until(() -> rows() == 0);
        List<AuditEvent> shipped = new ArrayList<>(firstShipper.shipped());
        shipped.addAll(secondShipper.shipped());
        Set<UUID> ids = new HashSet<>();
        shipped.forEach(event -> ids.add(event.eventId()));
        assertEquals(200, shipped.size());
        assertEquals(200, ids.size());
    }

    @Test
    void rowsAReplicaIsShippingAreSkippedAndShippedByAnotherOnceThatReplicaDies() throws Exception {
        List<AuditEvent> events = TestEvents.numbered(10);
        outbox(RecordingShipper.alwaysFailing()).recordAll(events); // never started: it only records
        RecordingShipper shipper = RecordingShipper.working();
        try (Connection dyingReplica = dataSource.getConnection()) {
            dyingReplica.setAutoCommit(false);
            assertEquals(4, AuditOutboxTable.lockOldest(dyingReplica, 4).size()); // its batch, in flight

            outbox(shipper).startShipping();

            assertEquals(events.subList(4, 10), shipper.awaitShipped(6, WAIT));
            dyingReplica.rollback(); // as the database does when the replica's connection dies
        }
        List<AuditEvent> shipped = shipper.awaitShipped(10, WAIT);
        assertEquals(events.subList(0, 4), shipped.subList(6, 10));
        await().atMost(WAIT).until(() -> rows() == 0);
    }

    @Test
    void aFullTableRefusesEventsAndTurnsTheOutboxUnhealthy() {
        RecordingShipper shipper = RecordingShipper.alwaysFailing();
        JdbcAuditOutbox outbox = outbox(new AuditOutboxTable(Clock.systemUTC()), shipper, OutboxConfig.MIN_SPOOL_BYTES);
        outbox.startShipping();
        int perBatch = 100;
        int batches = 0;
        while (outbox.healthy() && batches < 100) {
            outbox.recordAll(TestEvents.numbered(perBatch));
            batches++;
            int expected = batches * perBatch;
            await().atMost(WAIT).until(() -> outbox.backlog() >= expected);
        }

        assertThrows(OutboxFullException.class, () -> outbox.record(TestEvents.numbered("late", 1)));
        assertFalse(outbox.healthy());
    }

    @Test
    void theOutboxIsHealthyAgainOnceTheAuditServiceTookTheBacklog() throws Exception {
        RecordingShipper shipper = RecordingShipper.alwaysFailing();
        JdbcAuditOutbox outbox = outbox(new AuditOutboxTable(Clock.systemUTC()), shipper, OutboxConfig.MIN_SPOOL_BYTES);
        outbox.startShipping();
        while (outbox.healthy()) {
            outbox.recordAll(TestEvents.numbered(100));
            long recorded = rows();
            await().atMost(WAIT).until(() -> outbox.backlog() >= recorded);
        }

        shipper.failing(false);

        await().atMost(WAIT).until(() -> outbox.healthy() && outbox.backlog() == 0);
    }

    @Test
    void anInsertTheDatabaseRefusesIsReportedAndTurnsTheOutboxUnhealthy() throws Exception {
        JdbcAuditOutbox outbox = outbox(RecordingShipper.working());
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE audit_outbox");
        }

        assertThrows(IllegalStateException.class, () -> outbox.record(TestEvents.numbered("lost", 1)));
        assertFalse(outbox.healthy());
    }

    @Test
    void theOutboxIsHealthyAgainOnceTheTableAnswersAgain() throws Exception {
        JdbcAuditOutbox outbox = outbox(RecordingShipper.working());
        outbox.startShipping();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE audit_outbox RENAME TO audit_outbox_away");
        }
        assertThrows(IllegalStateException.class, () -> outbox.record(TestEvents.numbered("lost", 1)));
        assertFalse(outbox.healthy());

        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE audit_outbox_away RENAME TO audit_outbox");
        }

        await().atMost(WAIT).until(outbox::healthy);
    }

    @Test
    void theBacklogAndTheAgeOfItsOldestEventAreReported() {
        RecordingShipper shipper = RecordingShipper.alwaysFailing();
        JdbcAuditOutbox outbox = outbox(shipper);
        outbox.startShipping();

        outbox.recordAll(TestEvents.numbered(7));

        await().atMost(WAIT).until(() -> outbox.backlog() == 7 && outbox.deliveryFailures() > 0);
        assertTrue(outbox.oldestUnacknowledgedAge().compareTo(Duration.ZERO) >= 0);
        assertTrue(outbox.healthy());
    }

    @Test
    void aClosedOutboxRefusesEvents() {
        JdbcAuditOutbox outbox = outbox(RecordingShipper.working());

        outbox.close();

        assertThrows(IllegalStateException.class, () -> outbox.record(TestEvents.numbered("late", 1)));
        assertFalse(outbox.healthy());
    }

    /** The test's database, counting the connections taken from it: each is one round trip's worth of work. */
    private static final class CountingDataSource implements DataSource {
        private final DataSource delegate;
        private final AtomicInteger taken = new AtomicInteger();

        CountingDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        int taken() {
            return taken.get();
        }

        @Override
        public Connection getConnection() throws SQLException {
            taken.incrementAndGet();
            return delegate.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            taken.incrementAndGet();
            return delegate.getConnection(user, password);
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return delegate.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            return delegate.unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) throws SQLException {
            return delegate.isWrapperFor(type);
        }
    }
}
