package dev.portcullis.cli.run;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.portcullis.v1.DriftTargetStatus;
import dev.portcullis.v1.PlanChangeCounts;
import java.io.PrintWriter;
import java.util.Locale;

/** How drift targets look on the terminal: the status table and JSON lines. */
final class DriftFormat {
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final String ROW = "%-40s  %-8s  %-20s  %6s  %6s  %7s  %6s  %5s  %-12s  %s%n";
    private static final int NOTE_MAX = 80;

    private DriftFormat() {}

    static void tableHeader(PrintWriter out) {
        out.printf(ROW, "TARGET", "STATE", "LAST CHECK", "CREATE", "UPDATE", "REPLACE", "DELETE", "DRIFT", "COMMIT", "NOTE");
    }

    /**
     * One target: {@code REPO:FOLDER:ENVIRONMENT}, its state, when its last result was recorded,
     * the counts of that check's plan ({@code -} without a plan summary), the commit it planned,
     * and a note: a check pending, or why it is failing.
     */
    static void tableRow(PrintWriter out, DriftTargetStatus target) {
        boolean counts = target.hasPlanCounts();
        PlanChangeCounts c = target.getPlanCounts();
        out.printf(ROW, target.getRepo() + ":" + target.getFolder() + ":" + target.getEnvironment(), state(target),
                target.hasLastCheckedAt() ? RunFormat.instant(target.getLastCheckedAt()) : "never",
                count(counts, c.getCreate()), count(counts, c.getUpdate()), count(counts, c.getReplace()),
                count(counts, c.getDelete()), target.hasResourceDrift() ? Integer.toString(target.getResourceDrift()) : "-",
                target.getCommitSha().isEmpty() ? "-" : target.getCommitSha().substring(0, 12), note(target));
    }

    /** "in_sync" for DRIFT_STATE_IN_SYNC: the names the metrics and the audit record use. */
    static String state(DriftTargetStatus target) {
        String name = target.getState().name();
        return name.startsWith("DRIFT_STATE_") ? name.substring("DRIFT_STATE_".length()).toLowerCase(Locale.ROOT)
                : name.toLowerCase(Locale.ROOT);
    }

    private static String count(boolean present, int value) {
        return present ? Integer.toString(value) : "-";
    }

    private static String note(DriftTargetStatus target) {
        String note = "";
        if (target.getCheckPending()) {
            note = "check pending: run " + target.getLastRunId();
        } else if (target.getConsecutiveFailures() > 0) {
            note = target.getConsecutiveFailures() + " failed in a row: " + target.getStateReason();
        }
        return note.length() <= NOTE_MAX ? note : note.substring(0, NOTE_MAX - 1) + "…";
    }

    /** The target as one line of protobuf's canonical JSON mapping of {@code portcullis.v1.DriftTargetStatus}. */
    static String json(DriftTargetStatus target) {
        try {
            return JSON.print(target);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print drift target " + target.getRepo() + " as JSON", e);
        }
    }
}
