package dev.portcullis.bench.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run-latency benchmark's harness, small, so it cannot rot: the four dev services on H2, two
 * sequential runs next to two bare runs, and a concurrent round of two callers. What it asserts is
 * that every figure is measured and consistent, not how fast (that is bench/).
 */
class RunLatencySuiteTest {
    @TempDir
    Path dir;

    @Test
    void twoWatchedRunsAreMeasuredWithTheirPhasesNextToTwoBareRuns() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RunLatencySuite suite = new RunLatencySuite(new RunLatencySettings(2, 0, 2, 2, Duration.ofMinutes(2),
                dir.resolve("data"), new RunLatencySettings.Store.H2()), new PrintStream(log, true, StandardCharsets.UTF_8));

        RunLatencyReport report = suite.run();

        String seen = log.toString(StandardCharsets.UTF_8) + "\n" + report;
        assertEquals(List.of(), report.problems(), seen);
        assertEquals(2, report.watched().size(), seen);
        assertEquals(2, report.bare().size(), seen);
        for (RunLatencyReport.WatchedRun run : report.watched()) {
            assertTrue(run.submitToStartNanos() > 0 && run.submitToStartNanos() < run.totalNanos(), seen);
            assertTrue(run.endToDoneNanos() > 0 && run.endToDoneNanos() < run.totalNanos(), seen);
            assertTrue(run.phasesMillis().keySet().containsAll(List.of("submit_ack", "queued_to_running",
                    "running_to_first_line", "last_line_to_final", "final_delivery")), seen);
        }
        report.bare().forEach(bare -> assertTrue(bare.startNanos() > 0 && bare.startNanos() <= bare.totalNanos(), seen));
        report.bare().forEach(bare -> assertTrue(bare.checkoutNanos() > 0 && bare.transportCheckoutNanos() > 0, seen));
        assertEquals(2, report.concurrent().totalNanos().size(), seen);
        assertEquals(2, report.concurrentBare().totalNanos().size(), seen);
    }
}
