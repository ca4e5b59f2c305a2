package dev.portcullis.bench.latency;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * What the run-latency benchmark measured. Times in nanoseconds unless the name says otherwise.
 *
 * @param watched the measured sequential runs that succeeded, in order
 * @param bare the bare runs of the same command, in order, each in the same round as its watched run
 * @param concurrent the concurrent round of watched runs
 * @param concurrentBare the concurrent round of bare runs, as many callers
 * @param problems runs that did not succeed or were not watched to their end (empty when all went well)
 */
public record RunLatencyReport(List<WatchedRun> watched, List<BareRun> bare, Round concurrent, Round concurrentBare,
        List<String> problems, double setupSeconds, double totalSeconds) {
    public RunLatencyReport {
        watched = List.copyOf(watched);
        bare = List.copyOf(bare);
        requireNonNull(concurrent, "concurrent is null");
        requireNonNull(concurrentBare, "concurrentBare is null");
        problems = List.copyOf(problems);
    }

    /**
     * One run submitted and watched to its end.
     *
     * @param submitToStartNanos SubmitRun sent until the command's first line received by the watcher
     * @param endToDoneNanos the command's last line received until the final state received
     * @param totalNanos SubmitRun sent until the final state received
     * @param phasesMillis the phases inside, from the run's own event timestamps (see the benchmark's table)
     */
    public record WatchedRun(long submitToStartNanos, long endToDoneNanos, long totalNanos, Map<String, Double> phasesMillis) {
        public WatchedRun {
            phasesMillis = Map.copyOf(phasesMillis);
        }
    }

    /**
     * The command run directly as a process.
     *
     * @param startNanos process start asked until its first line read
     * @param totalNanos process start asked until its exit seen
     * @param checkoutNanos a checkout as the local executor makes one (git clone --no-checkout of the
     *     repository by its path, then git checkout of the commit), timed on its own in the same round
     * @param transportCheckoutNanos the same through git's file transport (the clone of the
     *     repository's file URL, as the executor made it before issue 22), timed next to it
     */
    public record BareRun(long startNanos, long totalNanos, long checkoutNanos, long transportCheckoutNanos) {}

    /** A round of concurrent runs: how many were asked, how many completed, in how long, and each one's total. */
    public record Round(int callers, int asked, double seconds, List<Long> totalNanos) {
        public Round {
            totalNanos = List.copyOf(totalNanos);
        }

        static Round none(int callers) {
            return new Round(callers, 0, 0, List.of());
        }

        public double perSecond() {
            return seconds <= 0 ? 0 : totalNanos.size() / seconds;
        }
    }
}
