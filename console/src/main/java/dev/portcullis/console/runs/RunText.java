package dev.portcullis.console.runs;

import com.google.protobuf.Timestamp;
import dev.portcullis.v1.PlanResourceChange;
import dev.portcullis.v1.PlanSummary;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How runs read on the pages, in the CLI's words (state names, the plan summary's lines). Not escaped: callers escape. */
final class RunText {
    static final String NO_SUMMARY = "no summary: the plan command declares no `summary:`";

    private RunText() {}

    /** {@code AWAITING_APPROVAL} for {@code RUN_STATE_AWAITING_APPROVAL}. */
    static String state(RunState state) {
        return state.name().replaceFirst("^RUN_STATE_", "");
    }

    static String time(Timestamp time) {
        return Instant.ofEpochSecond(time.getSeconds(), time.getNanos()).toString();
    }

    /** The counts line and one line per changed resource ({@code + address}, {@code ~}, {@code -/+}, {@code -}). */
    static List<String> planSummary(Run run) {
        List<String> lines = new ArrayList<>();
        if (!run.hasPlanSummary()) {
            lines.add(NO_SUMMARY);
            return lines;
        }
        PlanSummary summary = run.getPlanSummary();
        if (!summary.getHasChanges()) {
            lines.add("No changes.");
            return lines;
        }
        var counts = summary.getCounts();
        lines.add("Plan: " + counts.getCreate() + " to create, " + counts.getUpdate() + " to update, " + counts.getReplace()
                + " to replace, " + counts.getDelete() + " to delete.");
        return lines;
    }

    /** The symbol of a resource change's actions, as Terraform prints them. */
    static String symbol(PlanResourceChange change) {
        List<String> actions = change.getActionsList().stream().map(a -> a.toLowerCase(Locale.ROOT)).toList();
        if (actions.contains("create") && actions.contains("delete")) {
            return "-/+";
        }
        if (actions.contains("create")) {
            return "+";
        }
        if (actions.contains("delete")) {
            return "-";
        }
        if (actions.contains("update")) {
            return "~";
        }
        return " ";
    }

    static boolean finished(RunState state) {
        return switch (state) {
            case RUN_STATE_DENIED, RUN_STATE_REJECTED, RUN_STATE_EXPIRED, RUN_STATE_SUCCEEDED, RUN_STATE_FAILED,
                    RUN_STATE_CANCELLED, RUN_STATE_TIMED_OUT -> true;
            default -> false;
        };
    }
}
