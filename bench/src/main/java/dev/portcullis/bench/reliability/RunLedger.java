package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.WatchRunResponse;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the audit log must hold for one run, derived from the path the run took (its state
 * changes as the gateway reports them) and what its log shows ran, compared with what it holds.
 */
final class RunLedger {
    /** Missing and surplus events of one run, with a line saying which. */
    record Count(int lost, int duplicated, boolean taskRanTwice, String detail) {}

    private RunLedger() {}

    /**
     * Compares {@code recorded} (this run's audit events) with the run's path in {@code events}
     * (the run's full event list, read from offset 0 after the run ended).
     */
    static Count compare(List<WatchRunResponse> events, List<AuditEvent> recorded) {
        requireNonNull(events, "events is null");
        boolean running = events.stream().anyMatch(e -> e.hasStateChange()
                && e.getStateChange().getState() == RunState.RUN_STATE_RUNNING);
        long planStarts = events.stream().filter(e -> e.hasLogLine()
                && e.getLogLine().getText().startsWith(LoadRepository.PLAN_MARKER)).count();
        Map<AuditAction, Integer> actual = new EnumMap<>(AuditAction.class);
        recorded.forEach(event -> actual.merge(event.getAction(), 1, Integer::sum));

        Map<AuditAction, Integer> exact = new EnumMap<>(AuditAction.class);
        exact.put(AuditAction.AUDIT_ACTION_RUN_SUBMITTED, 1);
        exact.put(AuditAction.AUDIT_ACTION_RUN_QUEUED, 1);
        exact.put(AuditAction.AUDIT_ACTION_RUN_FINISHED, 1);
        // allowed once on submit, and once more when it left the queue for its task
        exact.put(AuditAction.AUDIT_ACTION_POLICY_ALLOWED, running ? 2 : 1);
        exact.put(AuditAction.AUDIT_ACTION_RUN_STARTED, running ? 1 : 0);
        int lost = 0;
        int duplicated = 0;
        StringBuilder detail = new StringBuilder();
        for (Map.Entry<AuditAction, Integer> expected : exact.entrySet()) {
            int count = actual.getOrDefault(expected.getKey(), 0);
            lost += Math.max(0, expected.getValue() - count);
            duplicated += Math.max(0, count - expected.getValue());
            if (count != expected.getValue()) {
                detail.append(' ').append(name(expected.getKey())).append(' ').append(count).append('/').append(expected.getValue());
            }
        }
        // the executor's view: a task that ran started once; every task the gateway started ends once
        int started = actual.getOrDefault(AuditAction.AUDIT_ACTION_TASK_STARTED, 0);
        int expectedStarts = planStarts > 0 ? 1 : 0;
        lost += Math.max(0, expectedStarts - started);
        duplicated += Math.max(0, started - 1);
        if (started != expectedStarts) {
            detail.append(" task.started ").append(started).append('/').append(expectedStarts);
        }
        int ended = actual.getOrDefault(AuditAction.AUDIT_ACTION_TASK_FINISHED, 0)
                + actual.getOrDefault(AuditAction.AUDIT_ACTION_TASK_CANCELLED, 0);
        // a run that never ran may still have had a task the executor ended (e.g. refused on a retried start)
        int expectedEnds = running ? 1 : 0;
        lost += Math.max(0, expectedEnds - ended);
        duplicated += Math.max(0, ended - 1);
        if (ended != expectedEnds && (running || ended > 1)) {
            detail.append(" task.finished ").append(ended).append('/').append(expectedEnds);
        }
        return new Count(lost, duplicated, started > 1 || planStarts > 1, detail.toString().strip());
    }

    private static String name(AuditAction action) {
        return action.name().substring("AUDIT_ACTION_".length()).toLowerCase(java.util.Locale.ROOT).replaceFirst("_", ".");
    }
}
