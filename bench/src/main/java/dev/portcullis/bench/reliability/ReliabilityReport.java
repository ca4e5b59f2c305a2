package dev.portcullis.bench.reliability;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one run of the reliability suite measured. Every count is of real runs and events.
 *
 * @param runsSubmitted submissions the gateway acknowledged
 * @param runsFinal acknowledged runs that reached a final state
 * @param runsLost acknowledged runs the gateway did not know at the end, or that never ended
 * @param runsCancelledUnasked runs that ended CANCELLED, which no caller asked for (the callers never cancel)
 * @param submitsUnacknowledged submissions never acknowledged (refused, or retried in vain)
 * @param finalStates final state name to the runs that ended in it
 * @param duplicateTasks runs whose task started more than once
 * @param eventsLost audit events expected from the runs' paths that are missing
 * @param eventsDuplicated audit events of a run present more often than once
 * @param chainIntact the audit service's Verify over the whole chain
 * @param chainChecked events Verify checked
 * @param watchComplete acknowledged runs whose caller's watch equals the run's full event list read again at the end
 * @param watchReconnects watches resumed (on the other gateway replica) after losing theirs
 * @param faults the injected faults
 * @param faultsPlanned faults asked for (fewer are injected when the load ends before a fault's point)
 * @param faultsRecovered every killed service served again
 * @param hostile the hostile corpus's outcome; empty when it was not run
 * @param rssStartBytes instance ("gateway-2", …) to RSS once all served, before the load
 * @param rssEndBytes instance to RSS after the verification
 * @param problems one line per defect seen (bounded), for the log
 */
public record ReliabilityReport(int callers, long seed, int runsSubmitted, int runsFinal, int runsLost,
        int runsCancelledUnasked, int submitsUnacknowledged, Map<String, Integer> finalStates, int duplicateTasks, int eventsLost, int eventsDuplicated,
        boolean chainIntact, long chainChecked, int watchComplete, int watchReconnects, double loadSeconds,
        double throughputRunsPerSecond, double submitP50Millis, double submitP99Millis, List<InjectedFault> faults,
        int faultsPlanned, boolean faultsRecovered, Optional<HostileOutcome> hostile, Map<String, Long> rssStartBytes, Map<String, Long> rssEndBytes,
        double totalSeconds, List<String> problems) {
    public ReliabilityReport {
        finalStates = Map.copyOf(finalStates);
        faults = List.copyOf(faults);
        rssStartBytes = Map.copyOf(rssStartBytes);
        rssEndBytes = Map.copyOf(rssEndBytes);
        problems = List.copyOf(problems);
    }

    /** Nothing lost, nothing cancelled unasked, nothing doubled, the chain intact, every watcher complete, every fault recovered from. */
    public boolean passed() {
        return runsSubmitted > 0 && runsLost == 0 && runsCancelledUnasked == 0 && submitsUnacknowledged == 0 && duplicateTasks == 0 && eventsLost == 0
                && eventsDuplicated == 0 && chainIntact && watchComplete == runsSubmitted && faultsRecovered
                && hostile.map(h -> h.unexpected().isEmpty()).orElse(true);
    }

    /**
     * The hostile corpus's outcome: inputs tried, refused as they should be, and anything that
     * was not refused as expected.
     */
    public record HostileOutcome(int tried, int refused, List<String> unexpected) {
        public HostileOutcome {
            unexpected = List.copyOf(unexpected);
        }
    }
}
