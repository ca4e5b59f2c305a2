package dev.portcullis.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunChange;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.gateway.run.Runs;
import dev.portcullis.gateway.store.jdbc.JdbcRunStore;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.telemetry.TelemetryConfig;
import dev.portcullis.runtime.telemetry.TelemetryEnvironment;
import dev.portcullis.runtime.testing.MutableClock;
import dev.portcullis.runtime.testing.PrometheusScrape;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway's run metrics: transitions it commits, run durations, unfinished runs from the database. */
class ObservedRunStoreTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

    private final MutableClock clock = MutableClock.at(T0);
    private TestDatabases.Settings db;
    private HikariDataSource dataSource;
    private Telemetry telemetry;
    private ObservedRunStore store;

    @BeforeEach
    void open() {
        db = TestDatabases.freshH2();
        dataSource = Databases.open("gateway", db.jdbcUrl(), db.user(), db.password(), db.schema(), 4);
        telemetry = TelemetryEnvironment.build("gateway", new TelemetryConfig(0, "127.0.0.1"));
        store = new ObservedRunStore(new JdbcRunStore(dataSource, clock, new RecordingAuditRecorder().table(clock)), telemetry, "h2", clock);
    }

    @AfterEach
    void close() {
        telemetry.close();
        dataSource.close();
        TestDatabases.drop(db);
    }

    private PrometheusScrape scrape() throws Exception {
        return PrometheusScrape.of(telemetry.prometheusAddress().orElseThrow());
    }

    @Test
    void committedTransitionsAreCountedAndAFinishedRunsDurationIsMeasured() throws Exception {
        Run run = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.update(run.id(), current -> RunChange.to(RunState.RUNNING, "started"));
        store.update(run.id(), current -> RunChange.keepState().exitCode(0));
        clock.advance(Duration.ofSeconds(42));

        store.update(run.id(), current -> RunChange.to(RunState.SUCCEEDED, "exit 0"));

        PrometheusScrape scrape = scrape();
        assertEquals(1, scrape.sum("portcullis_gateway_run_transitions_total", Map.of("to", "QUEUED")), scrape.text());
        assertEquals(1, scrape.sum("portcullis_gateway_run_transitions_total", Map.of("to", "RUNNING")), scrape.text());
        assertEquals(1, scrape.sum("portcullis_gateway_run_transitions_total", Map.of("to", "SUCCEEDED")), scrape.text());
        assertEquals(3, scrape.sum("portcullis_gateway_run_transitions_total", Map.of()), scrape.text());
        assertEquals(1, scrape.sum("portcullis_gateway_run_duration_seconds_count", Map.of("state", "SUCCEEDED")),
                scrape.text());
        assertEquals(42, scrape.sum("portcullis_gateway_run_duration_seconds_sum", Map.of("state", "SUCCEEDED")), 1e-9,
                scrape.text());
    }

    @Test
    void unfinishedRunsByStateAreReadFromTheDatabaseAtEachScrape() throws Exception {
        Run first = store.create(Runs.queued(Runs.spec("stage/app", "stage", "plan"), T0), Runs.NO_AUDIT);
        store.create(Runs.queued(Runs.spec("stage/db", "stage", "plan"), T0), Runs.NO_AUDIT);
        double queuedBefore = scrape().sum("portcullis_gateway_runs", Map.of("state", "QUEUED"));

        store.update(first.id(), current -> RunChange.to(RunState.RUNNING, "started"));

        PrometheusScrape after = scrape();
        assertEquals(2, queuedBefore);
        assertEquals(1, after.sum("portcullis_gateway_runs", Map.of("state", "QUEUED")), after.text());
        assertEquals(1, after.sum("portcullis_gateway_runs", Map.of("state", "RUNNING")), after.text());
        assertEquals(0, after.sum("portcullis_gateway_runs", Map.of("state", "AWAITING_APPROVAL")), after.text());
        assertEquals(true, after.samples("portcullis_gateway_runs").stream()
                .noneMatch(s -> s.labels().get("state").equals("SUCCEEDED")), after.text());
    }
}
