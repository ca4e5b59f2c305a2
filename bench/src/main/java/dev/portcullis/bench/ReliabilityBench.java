package dev.portcullis.bench;

import static dev.portcullis.bench.BenchSupport.env;
import static dev.portcullis.bench.BenchSupport.integer;
import static dev.portcullis.bench.BenchSupport.option;

import dev.portcullis.bench.Bench.Figure;
import dev.portcullis.bench.reliability.InjectedFault;
import dev.portcullis.bench.reliability.ReliabilityReport;
import dev.portcullis.bench.reliability.ReliabilitySettings;
import dev.portcullis.bench.reliability.ReliabilitySuite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code bench/run reliability [--callers N] [--runs-per-caller N] [--duration D] [--seed S]
 * [--faults N] [--data-dir DIR]}: the reliability suite's figures. Needs the local PostgreSQL
 * ({@code scripts/test-db-setup}); reads {@code PORTCULLIS_TEST_JDBC_URL}, {@code _DB_USER},
 * {@code _DB_PASSWORD} as the other PostgreSQL benchmarks do.
 */
final class ReliabilityBench {
    private ReliabilityReport report;

    Map<String, Figure> run(List<String> arguments) throws Exception {
        ReliabilitySettings settings = new ReliabilitySettings(
                integer(arguments, "--callers", 200),
                integer(arguments, "--runs-per-caller", 2),
                Duration.parse("PT" + option(arguments, "--duration", "5m").toUpperCase(java.util.Locale.ROOT)),
                Long.parseLong(option(arguments, "--seed", Long.toString(System.currentTimeMillis() % 1_000_000))),
                integer(arguments, "--faults", 8),
                Path.of(option(arguments, "--data-dir", "bench/target/reliability")),
                new ReliabilitySettings.Database(
                        env("PORTCULLIS_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/portcullis_test"),
                        env("PORTCULLIS_TEST_DB_USER", "portcullis_test"),
                        env("PORTCULLIS_TEST_DB_PASSWORD", "portcullis_test")),
                "reliability", List.of("gateway", "policy", "executor", "audit"));
        report = new ReliabilitySuite(settings, System.err).run();
        return figures(report);
    }

    /** Whether the last run passed: nothing lost, doubled or broken. */
    boolean passed() {
        return report != null && report.passed();
    }

    static Map<String, Figure> figures(ReliabilityReport r) {
        Map<String, Figure> f = new LinkedHashMap<>();
        f.put("callers", new Figure(r.callers(), "callers", "concurrent CI callers, each its own identity"));
        f.put("runs_submitted", new Figure(r.runsSubmitted(), "runs", "submissions the gateway acknowledged"));
        f.put("runs_final", new Figure(r.runsFinal(), "runs", "acknowledged runs that reached a final state " + r.finalStates()));
        f.put("runs_lost", new Figure(r.runsLost(), "runs", "acknowledged but unknown at the end, or never ended (must be 0)"));
        f.put("runs_cancelled_unasked", new Figure(r.runsCancelledUnasked(), "runs",
                "runs that ended CANCELLED though no caller cancelled them (must be 0)"));
        f.put("submits_unacknowledged", new Figure(r.submitsUnacknowledged(), "submits",
                "submissions refused or retried in vain (must be 0)"));
        f.put("duplicate_tasks", new Figure(r.duplicateTasks(), "runs", "runs whose task started more than once (must be 0)"));
        f.put("events_lost", new Figure(r.eventsLost(), "events", "audit events a run's path implies that are missing (must be 0)"));
        f.put("events_duplicated", new Figure(r.eventsDuplicated(), "events", "audit events of a run present twice (must be 0)"));
        f.put("chain_intact", new Figure(r.chainIntact() ? 1 : 0, "bool", "audit Verify over " + r.chainChecked() + " events"));
        f.put("faults_injected", new Figure(r.faults().size(), "SIGKILLs", "of " + r.faultsPlanned() + " planned: "
                + r.faults().stream().map(InjectedFault::instance).toList() + ", the pod-local directories of each wiped"
                + (r.faultsRecovered() ? "" : " (a service did not come back)")));
        f.put("hostile_inputs", r.hostile().map(h -> new Figure(h.tried(), "inputs", "hostile inputs tried"))
                .orElse(Figure.notRun("inputs", "hostile corpus not run")));
        f.put("hostile_refused", r.hostile().map(h -> new Figure(h.refused(), "inputs", "refused with the right status"
                + (h.unexpected().isEmpty() ? "" : "; unexpected: " + h.unexpected()))).orElse(Figure.notRun("inputs",
                        "hostile corpus not run")));
        f.put("throughput_runs_per_s", new Figure(r.throughputRunsPerSecond(), "runs/s",
                "runs finished and watched to their end per second of load (" + String.format("%.0f", r.loadSeconds()) + " s)"));
        f.put("submit_p50_ms", new Figure(r.submitP50Millis(), "ms", "SubmitRun until acknowledged, retries included"));
        f.put("submit_p99_ms", new Figure(r.submitP99Millis(), "ms", "SubmitRun until acknowledged, retries included"));
        f.put("watch_complete", new Figure(r.runsSubmitted() == 0 ? 0 : (double) r.watchComplete() / r.runsSubmitted(), "share",
                "callers whose watch equals the run's whole event list read again (must be 1)"));
        f.put("watch_reconnects", new Figure(r.watchReconnects(), "resumes", "watches resumed from their last offset"));
        Set<String> instances = new TreeSet<>(r.rssStartBytes().keySet());
        instances.addAll(r.rssEndBytes().keySet());
        for (String instance : instances) {
            String figure = instance.replace('-', '_');
            f.put("rss_start_mib_" + figure, mib(r.rssStartBytes().get(instance), instance + " RSS before the load"));
            f.put("rss_end_mib_" + figure, mib(r.rssEndBytes().get(instance), instance + " RSS after the verification"
                    + (r.faults().stream().anyMatch(x -> x.instance().equals(instance)) ? " (restarted during the load)" : "")));
        }
        f.put("seed", new Figure(r.seed(), "", "reproduces the fault points and victims"));
        f.put("suite_seconds", new Figure(r.totalSeconds(), "s", "the whole suite, set-up and verification included"));
        return f;
    }

    private static Figure mib(Long bytes, String meaning) {
        return bytes == null ? Figure.notRun("MiB", meaning + ": no process to measure")
                : new Figure(Math.round(bytes / 1048576.0 * 10) / 10.0, "MiB", meaning);
    }
}
