package dev.portcullis.audit.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.audit.store.EventFilter;
import dev.portcullis.audit.store.JdbcAuditStore;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.testing.MutableClock;
import dev.portcullis.runtime.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The silence watch on a clock the test moves. */
class SourceMonitorTest {
    static final SourceName JENKINS = new SourceName("jenkins");

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-11-24T09:00:00Z"));
    private HikariDataSource dataSource;
    private JdbcAuditStore store;
    private SourceCounters counters;
    private SourceMonitor monitor;

    @BeforeEach
    void open() {
        TestDatabases.Settings db = TestDatabases.freshH2();
        dataSource = Databases.open("audit", db.jdbcUrl(), db.user(), db.password(), db.schema(), 4);
        store = new JdbcAuditStore(dataSource, clock);
        AuditIngest ingest = new AuditIngest(store, CheckpointSigner.load(dir.resolve("k.key"), dir.resolve("k.pub"), true),
                1000, Duration.ofDays(1), clock, List.of());
        counters = new SourceCounters(new JdbcSourceActivityStore(dataSource), Duration.ofHours(1));
        Sources sources = new Sources(List.of(
                new Source(JENKINS, SourceKind.GENERIC, new SourceSecret("a-secret-of-enough-length"), Duration.ofHours(6)),
                new Source(new SourceName("quiet"), SourceKind.GITHUB, new SourceSecret("a-secret-of-enough-length"),
                        Duration.ZERO)));
        monitor = new SourceMonitor(sources, counters, ingest, clock);
    }

    @AfterEach
    void close() {
        counters.close();
        dataSource.close();
    }

    private long silentEvents() {
        return store.query(EventFilter.builder().actions(Set.of(AuditAction.SOURCE_SILENT)).build(), false, 0, 100).size();
    }

    @Test
    void aSourceIsSilentOnlyAfterItsMaxSilenceAndIsReportedOncePerStretch() {
        clock.advance(Duration.ofHours(6));
        List<SourceName> atTheLimit = monitor.checkSilence();
        clock.advance(Duration.ofSeconds(1));
        List<SourceName> past = monitor.checkSilence();
        clock.advance(Duration.ofHours(1));
        List<SourceName> again = monitor.checkSilence();

        assertEquals(List.of(), atTheLimit);
        assertEquals(List.of(JENKINS), past, "the unwatched source is never silent");
        assertEquals(List.of(), again);
        assertEquals(1, silentEvents());
        assertTrue(monitor.statuses().get(0).silent());
    }

    @Test
    void aDeliveryEndsTheSilenceAndTheNextStretchIsReportedAgain() {
        clock.advance(Duration.ofHours(7));
        monitor.checkSilence();

        counters.delivered(JENKINS, clock.instant());
        boolean silentAfterDelivery = monitor.statuses().get(0).silent();
        clock.advance(Duration.ofHours(6).plusSeconds(1));
        List<SourceName> nextStretch = monitor.checkSilence();

        assertFalse(silentAfterDelivery);
        assertEquals(List.of(JENKINS), nextStretch);
        assertEquals(2, silentEvents());
        assertEquals(1, monitor.statuses().get(0).activity().deliveries());
    }
}
