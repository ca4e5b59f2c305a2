package dev.portcullis.audit.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.testing.TestDatabases;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract of {@link SourceActivityStore}, run against H2 and PostgreSQL. */
abstract class SourceActivityStoreContract {
    static final SourceName GITHUB = new SourceName("github-acme");
    static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");

    private TestDatabases.Settings db;
    private HikariDataSource dataSource;
    private SourceActivityStore store;

    protected abstract TestDatabases.Settings database();

    @BeforeEach
    void open() {
        db = database();
        dataSource = Databases.open("audit", db.jdbcUrl(), db.user(), db.password(), db.schema(), 4);
        store = new JdbcSourceActivityStore(dataSource);
    }

    @AfterEach
    void close() {
        if (db == null) { // PostgreSQL was unreachable: the test skipped before opening anything
            return;
        }
        dataSource.close();
        TestDatabases.drop(db);
    }

    @Test
    void aRegisteredSourceStartsWithNothingAndRegisteringAgainKeepsWhatItHas() {
        store.register(GITHUB, T0);
        store.recordDeliveries(GITHUB, 2, T0.plusSeconds(5));

        store.register(GITHUB, T0.plusSeconds(60));

        assertEquals(List.of(new SourceActivity(GITHUB, T0, 2, T0.plusSeconds(5), 0, Instant.EPOCH, "")), store.all());
    }

    @Test
    void countsAddUpAndTheNewestTimesAndReasonWin() {
        store.register(GITHUB, T0);

        store.recordDeliveries(GITHUB, 3, T0.plusSeconds(10));
        store.recordDeliveries(GITHUB, 1, T0.plusSeconds(5));
        store.recordRefusals(GITHUB, 2, T0.plusSeconds(20), "REPLAYED");
        store.recordRefusals(GITHUB, 1, T0.plusSeconds(15), "MALFORMED");

        assertEquals(List.of(new SourceActivity(GITHUB, T0, 4, T0.plusSeconds(10), 3, T0.plusSeconds(20), "REPLAYED")),
                store.all());
    }

    @Test
    void concurrentIncrementsAreNeverLost() throws Exception {
        store.register(GITHUB, T0);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writers = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                writers.add(threads.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        store.recordDeliveries(GITHUB, 1, T0.plusSeconds(i));
                    }
                }));
            }
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        assertEquals(100, store.all().get(0).deliveries());
    }
}
