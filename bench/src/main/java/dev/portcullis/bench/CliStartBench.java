package dev.portcullis.bench;

import static dev.portcullis.bench.BenchSupport.integer;
import static dev.portcullis.bench.BenchSupport.loadAverage;
import static dev.portcullis.bench.BenchSupport.option;
import static dev.portcullis.bench.BenchSupport.percentile;
import static dev.portcullis.bench.BenchSupport.percentiles;
import static dev.portcullis.bench.BenchSupport.tenths;

import dev.portcullis.bench.Bench.Figure;
import dev.portcullis.bench.latency.CliStartSuite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * {@code bench/run cli-start [--runs N]}: how long a {@code portcullis} process takes as a whole,
 * next to {@code java -version} started the same way in the same rounds (see {@link CliStartSuite}).
 */
final class CliStartBench {
    Map<String, Figure> run(List<String> arguments) throws Exception {
        double loadBefore = loadAverage();
        CliStartSuite.Report report = new CliStartSuite(integer(arguments, "--runs", 10), Duration.ofMinutes(5),
                Path.of(option(arguments, "--data-dir", "bench/target/cli-start")), Path.of("portcullis"), System.err).run();
        return figures(report, loadBefore, loadAverage());
    }

    static Map<String, Figure> figures(CliStartSuite.Report report, double loadBefore, double loadAfter) {
        Map<String, Figure> f = new LinkedHashMap<>();
        double[] java = millis(report.started().get("java_version"));
        double[] version = millis(report.started().get("version"));
        double[] runsList = millis(report.started().get("runs_list"));
        double[] plan = millis(report.started().get("plan"));
        f.put("rounds", new Figure(java.length, "rounds", "rounds measured, each starting every process once, after a warm-up round"));
        f.put("problems", new Figure(report.problems().size(), "", "processes that did not exit 0 in time"
                + (report.problems().isEmpty() ? "" : ": " + report.problems().subList(0, Math.min(3, report.problems().size())))));
        percentiles(f, "java_version", java, "baseline: `java -version`, a bare JVM's start and exit");
        percentiles(f, "version", version, "`portcullis --version`: the launcher script, its build check, the CLI's JVM");
        f.put("version_added_p50_ms", new Figure(tenths(percentile(version, 50) - percentile(java, 50)), "ms",
                "version p50 − java_version p50: what the CLI's own start adds (goal ≤ 300)"));
        percentiles(f, "runs_list", runsList, "`portcullis runs list` against the running suite (mTLS, one call)");
        f.put("runs_list_added_p50_ms", new Figure(tenths(percentile(runsList, 50) - percentile(java, 50)), "ms",
                "runs_list p50 − java_version p50"));
        percentiles(f, "plan", plan, "`portcullis plan` of a trivial command, followed to SUCCEEDED and the process's exit (goal ≤ 1200)");
        percentiles(f, "plan_exit_after_output", millis(report.started().get("plan"), CliStartSuite.Started::afterOutputNanos),
                "plan: its last output (the final state) → the process's exit");
        f.put("load_before", new Figure(loadBefore, "", "1-minute load average before the suite started"));
        f.put("load_after", new Figure(loadAfter, "", "1-minute load average after the measurements"));
        f.put("setup_s", new Figure(tenths(report.setupSeconds()), "s", "repository, PKI and the four services up"));
        return f;
    }

    private static double[] millis(List<CliStartSuite.Started> started) {
        return millis(started, CliStartSuite.Started::wallNanos);
    }

    private static double[] millis(List<CliStartSuite.Started> started, ToLongFunction<CliStartSuite.Started> nanos) {
        return started.stream().mapToDouble(s -> nanos.applyAsLong(s) / 1e6).toArray();
    }
}
