package dev.portcullis.bench.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reliability suite, short: 16 CI callers on PostgreSQL, each service a process of its own,
 * two gateway and two executor replicas among them, a gateway, an executor and the audit service
 * each killed with SIGKILL once during the load, the pod-local directories of each wiped.
 * Nothing acknowledged may be lost, no task may run twice, every audit event must arrive once,
 * the chain must verify and every caller must have seen its run's whole event list.
 */
class ReliabilitySuiteTest {
    @TempDir
    Path dir;

    @Test
    void sixteenCallersLoseNothingThroughSigkillsOfTheGatewayTheExecutorAndTheAuditService() throws Exception {
        TestDatabases.Settings db = TestDatabases.freshPostgresSchema();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ReliabilitySuite suite = new ReliabilitySuite(new ReliabilitySettings(16, 3, Duration.ofSeconds(60), 42, 3,
                dir.resolve("data"), new ReliabilitySettings.Database(db.jdbcUrl(), db.user(), db.password()), db.schema(),
                List.of("gateway", "executor", "audit")), new PrintStream(log, true, StandardCharsets.UTF_8));
        ReliabilityReport report;
        try {
            report = suite.run();
        } finally {
            suite.dropSchemas();
        }
        String seen = log.toString(StandardCharsets.UTF_8) + "\n" + report;
        if (!report.passed()) {
            seen += "\nthe services' logs: " + keepLogs(dir.resolve("data"));
        }

        // the load is bounded by count (16 x 3) and by time (60 s): on a busy machine fewer runs fit, and
        // what the test proves is that none of those submitted is lost, not how many fit (that is bench/)
        assertTrue(report.runsSubmitted() > 0 && report.runsSubmitted() <= 48, seen);
        assertEquals(report.runsSubmitted(), report.runsFinal(), seen);
        assertEquals(0, report.runsLost(), seen);
        assertEquals(0, report.runsCancelledUnasked(), seen);
        assertEquals(0, report.submitsUnacknowledged(), seen);
        assertEquals(0, report.duplicateTasks(), seen);
        assertEquals(0, report.eventsLost(), seen);
        assertEquals(0, report.eventsDuplicated(), seen);
        assertTrue(report.chainIntact(), seen);
        assertTrue(report.chainChecked() >= report.runsSubmitted() * 6L, seen);
        assertEquals(report.runsSubmitted(), report.watchComplete(), seen);
        assertEquals(List.of("audit", "executor", "gateway"), report.faults().stream().map(InjectedFault::service).sorted()
                .toList(), seen);
        assertTrue(report.faultsRecovered(), seen);
        assertTrue(report.watchReconnects() > 0, "the callers lived through the gateway's death: " + seen);
        ReliabilityReport.HostileOutcome hostile = report.hostile().orElseThrow();
        assertTrue(hostile.tried() > 50, "the hostile corpus ran after the faults: " + seen);
        assertEquals(hostile.tried(), hostile.refused(), seen);
        assertEquals(List.of(), hostile.unexpected(), seen);
        assertEquals(List.of(), report.problems(), seen);
        assertTrue(report.passed(), seen);
    }

    /** The services' logs of a failed run, copied out of the temporary directory JUnit deletes. */
    private static Path keepLogs(Path dataDir) throws IOException {
        Path kept = Path.of("target", "reliability-failure-" + System.currentTimeMillis()).toAbsolutePath();
        Files.createDirectories(kept);
        try (Stream<Path> files = Files.list(dataDir.resolve("logs"))) {
            for (Path file : files.toList()) {
                Files.copy(file, kept.resolve(file.getFileName()));
            }
        }
        Path problems = dataDir.resolve("problems.txt");
        if (Files.exists(problems)) {
            Files.copy(problems, kept.resolve("problems.txt"));
        }
        return kept;
    }
}
