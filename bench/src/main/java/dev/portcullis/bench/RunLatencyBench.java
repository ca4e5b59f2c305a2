package dev.portcullis.bench;

import static dev.portcullis.bench.BenchSupport.env;
import static dev.portcullis.bench.BenchSupport.integer;
import static dev.portcullis.bench.BenchSupport.loadAverage;
import static dev.portcullis.bench.BenchSupport.option;
import static dev.portcullis.bench.BenchSupport.percentiles;
import static dev.portcullis.bench.BenchSupport.tenths;

import dev.portcullis.bench.Bench.Figure;
import dev.portcullis.bench.latency.RunLatencyReport;
import dev.portcullis.bench.latency.RunLatencySettings;
import dev.portcullis.bench.latency.RunLatencySuite;
import dev.portcullis.bench.reliability.ReliabilitySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code bench/run run-latency [--runs N] [--concurrent-runs N] [--postgres]}: what a run adds to a
 * trivial command end to end, on the suite as dev mode runs it (four services as processes, local
 * executor, H2; with {@code --postgres} the local PostgreSQL, read from {@code PORTCULLIS_TEST_JDBC_URL},
 * {@code _DB_USER}, {@code _DB_PASSWORD} as the other PostgreSQL benchmarks do).
 */
final class RunLatencyBench {
    /** The phases inside a watched run, in path order, each with what it covers. */
    static final Map<String, String> PHASES = phases();

    Map<String, Figure> run(List<String> arguments) throws Exception {
        int runs = integer(arguments, "--runs", 30);
        RunLatencySettings.Store store = arguments.contains("--postgres")
                ? new RunLatencySettings.Store.Postgres(new ReliabilitySettings.Database(
                        env("PORTCULLIS_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/portcullis_test"),
                        env("PORTCULLIS_TEST_DB_USER", "portcullis_test"), env("PORTCULLIS_TEST_DB_PASSWORD", "portcullis_test")),
                        "run_latency")
                : new RunLatencySettings.Store.H2();
        RunLatencySettings settings = new RunLatencySettings(runs, 3, 16, integer(arguments, "--concurrent-runs", 64),
                Duration.ofMinutes(5), Path.of(option(arguments, "--data-dir", "bench/target/run-latency")), store);
        double loadBefore = loadAverage();
        RunLatencyReport report = new RunLatencySuite(settings, System.err).run();
        return figures(report, loadBefore, loadAverage());
    }

    static Map<String, Figure> figures(RunLatencyReport r, double loadBefore, double loadAfter) {
        Map<String, Figure> f = new LinkedHashMap<>();
        f.put("runs", new Figure(r.watched().size(), "runs", "sequential runs measured that succeeded, each next to a bare run"));
        f.put("runs_failed", new Figure(r.problems().size(), "runs", "runs that did not succeed or were not watched to the end"
                + (r.problems().isEmpty() ? "" : ": " + r.problems().subList(0, Math.min(3, r.problems().size())))));
        double[] overhead = new double[r.watched().size()];
        for (int i = 0; i < overhead.length; i++) {
            overhead[i] = (r.watched().get(i).totalNanos() - r.bare().get(i).totalNanos()) / 1e6;
        }
        percentiles(f, "overhead", overhead, "watched run total − bare command total, the pair of one round");
        percentiles(f, "submit_to_start", millis(r.watched(), w -> w.submitToStartNanos()),
                "SubmitRun sent → the command's first line received by the watcher");
        percentiles(f, "end_to_done", millis(r.watched(), w -> w.endToDoneNanos()),
                "the command's last line received → the final state received");
        percentiles(f, "watched_total", millis(r.watched(), w -> w.totalNanos()), "SubmitRun sent → final state received");
        percentiles(f, "bare_start", millis(r.bare(), b -> b.startNanos()), "bare: process start → its first line read");
        percentiles(f, "bare_total", millis(r.bare(), b -> b.totalNanos()), "bare: process start → its exit seen");
        percentiles(f, "bare_checkout", millis(r.bare(), b -> b.checkoutNanos()),
                "bare: git clone --no-checkout of the repository's path + git checkout of the commit, as the local executor checks out (not in bare_total)");
        percentiles(f, "bare_transport_checkout", millis(r.bare(), b -> b.transportCheckoutNanos()),
                "bare: the same clone through git's file transport (the file URL), as the executor cloned before; next to bare_checkout");
        PHASES.forEach((phase, meaning) -> {
            double[] values = r.watched().stream().filter(w -> w.phasesMillis().containsKey(phase))
                    .mapToDouble(w -> w.phasesMillis().get(phase)).toArray();
            if (values.length == 0) {
                f.put("phase_" + phase + "_p50_ms", Figure.notRun("ms", meaning + " (no such event)"));
            } else {
                percentiles(f, "phase_" + phase, values, meaning);
            }
        });
        RunLatencyReport.Round c = r.concurrent();
        RunLatencyReport.Round b = r.concurrentBare();
        f.put("runs_per_s", c.asked() == 0 ? Figure.notRun("runs/s", "concurrent round not run")
                : new Figure(tenths(c.perSecond()), "runs/s", c.callers() + " callers on different folders, "
                        + c.totalNanos().size() + " of " + c.asked() + " runs succeeded in " + String.format("%.1f s", c.seconds())));
        f.put("bare_runs_per_s", b.asked() == 0 ? Figure.notRun("runs/s", "concurrent round not run")
                : new Figure(tenths(b.perSecond()), "runs/s", "the bare command from " + b.callers() + " threads"));
        if (c.asked() > 0) {
            percentiles(f, "concurrent_total", c.totalNanos().stream().mapToDouble(n -> n / 1e6).toArray(),
                    "concurrent round: SubmitRun sent → final state received");
        }
        f.put("load_before", new Figure(loadBefore, "", "1-minute load average before the suite started"));
        f.put("load_after", new Figure(loadAfter, "", "1-minute load average after the measurements"));
        f.put("setup_s", new Figure(tenths(r.setupSeconds()), "s", "repository, PKI and the four services up"));
        f.put("suite_s", new Figure(tenths(r.totalSeconds()), "s", "the whole benchmark"));
        return f;
    }

    private static Map<String, String> phases() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("submit_ack", "SubmitRun sent → its answer received (mTLS, role, policy decision, store)");
        p.put("submit_to_created", "SubmitRun sent → the run's created_at (the gateway's clock)");
        p.put("created_to_queued", "created_at → QUEUED event");
        p.put("queued_to_running", "QUEUED → RUNNING event (lock, dispatch, StartTask)");
        p.put("queued_to_task_accepted", "QUEUED → the executor accepted the task (its created_at: scan, claim, lock, dequeue decision, StartTask)");
        p.put("task_accepted_to_running", "task accepted → RUNNING event (StartTask answer, RUNNING stored)");
        p.put("running_to_first_line", "RUNNING → first line event (checkout, process start, log relay into the run)");
        p.put("task_accepted_to_command_started", "task accepted → the command's process up (executor: task stored, checkout, step line, process start)");
        p.put("command_started_to_first_line", "the command's process up → its first line read (executor)");
        p.put("first_line_relay", "first line read by the executor → first line event of the run (WatchTask, copy, store)");
        p.put("first_line_delivery", "first line event → received by the watcher");
        p.put("first_to_last_line", "first line event → last line event");
        p.put("last_line_to_final", "last line event → final state event (exit, task end relayed, run ended)");
        p.put("final_delivery", "final state event → received by the watcher");
        return java.util.Collections.unmodifiableMap(p);
    }

    private static <T> double[] millis(List<T> items, ToDoubleFunction<T> nanos) {
        return items.stream().mapToDouble(item -> nanos.applyAsDouble(item) / 1e6).toArray();
    }


}
