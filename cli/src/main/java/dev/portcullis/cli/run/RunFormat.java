package dev.portcullis.cli.run;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import dev.portcullis.v1.Approval;
import dev.portcullis.v1.Decision;
import dev.portcullis.v1.DecisionReason;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** How runs look on the terminal: state lines, the decision, the list table, the details, JSON. */
final class RunFormat {
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final String ROW = "%-36s  %-17s  %-7s  %-10s  %-14s  %-6s  %-12s  %-20s  %s%n";

    private RunFormat() {}

    /** "AWAITING_APPROVAL" for RUN_STATE_AWAITING_APPROVAL. */
    static String state(RunState state) {
        return state.name().startsWith("RUN_STATE_") ? state.name().substring("RUN_STATE_".length()) : state.name();
    }

    /** One line saying where the run is now, e.g. "run ID is QUEUED (2 runs ahead)". */
    static String stateLine(Run run) {
        StringBuilder line = new StringBuilder("run ").append(run.getRunId()).append(" is ").append(state(run.getState()));
        if (run.getState() == RunState.RUN_STATE_QUEUED && run.getQueuePosition() > 0) {
            line.append(" (").append(run.getQueuePosition()).append(" run(s) ahead)");
        }
        if (run.hasExitCode() && RunOutcome.isFinal(run.getState())) {
            line.append(" (exit code ").append(run.getExitCode()).append(')');
        }
        if (!run.getStateReason().isBlank() && run.getState() != RunState.RUN_STATE_DENIED) {
            line.append(": ").append(run.getStateReason());
        }
        return line.toString();
    }

    /**
     * The reminder a follower prints while a run waits, e.g. "run ID is still AWAITING_APPROVAL
     * since T: 1 more approval(s) needed, the approval window closes at T" or "run ID is still
     * QUEUED since T: 2 run(s) ahead".
     */
    static String waitingLine(Run run) {
        StringBuilder line = new StringBuilder("run ").append(run.getRunId()).append(" is still ")
                .append(state(run.getState())).append(" since ").append(instant(run.getUpdatedAt()));
        if (run.getState() == RunState.RUN_STATE_QUEUED) {
            line.append(": ").append(run.getQueuePosition()).append(" run(s) ahead");
        } else if (run.getState() == RunState.RUN_STATE_AWAITING_APPROVAL) {
            int needed = Math.max(0, run.getRequiredApprovals() - run.getApprovalsCount());
            line.append(": ").append(needed).append(" more approval(s) needed (").append(run.getApprovalsCount())
                    .append(" of ").append(run.getRequiredApprovals()).append(')');
            if (run.hasApprovalDeadline()) {
                line.append(", the approval window closes at ").append(instant(run.getApprovalDeadline()));
            }
        }
        return line.toString();
    }

    /** The decision: outcome, catalog version, rule, and every reason on its own line. */
    static List<String> decision(Decision decision) {
        List<String> lines = new ArrayList<>();
        StringBuilder head = new StringBuilder(decision.getOutcome().name().replace("DECISION_OUTCOME_", ""));
        if (!decision.getCatalogVersion().isEmpty()) {
            head.append(" by catalog ").append(shortened(decision.getCatalogVersion(), 12));
        }
        if (decision.hasMatchedRule()) {
            head.append(", rule ").append(decision.getMatchedRule().getRepo()).append('#')
                    .append(decision.getMatchedRule().getIndex());
            if (!decision.getMatchedRule().getLocation().isEmpty()) {
                head.append(" at line:column ").append(decision.getMatchedRule().getLocation());
            }
        }
        lines.add(head.toString());
        for (DecisionReason reason : decision.getReasonsList()) {
            lines.add("  " + reason.getCode() + ": " + reason.getMessage());
        }
        return lines;
    }

    static void tableHeader(PrintWriter out) {
        out.printf(ROW, "RUN", "STATE", "COMMAND", "REPO", "FOLDER", "ENV", "COMMIT", "CREATED", "REQUESTER");
    }

    static void tableRow(PrintWriter out, Run run) {
        out.printf(ROW, run.getRunId(), state(run.getState()), run.getSpec().getCommand(), run.getSpec().getRepo(),
                run.getSpec().getFolder(), run.getSpec().getEnvironment(), shortened(run.getSpec().getCommitSha(), 12),
                instant(run.getCreatedAt()), run.getRequester());
    }

    /** The run as one line of protobuf's canonical JSON mapping of {@code portcullis.v1.Run}. */
    static String json(Run run) {
        try {
            return JSON.print(run);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print run " + run.getRunId() + " as JSON", e);
        }
    }

    /** Everything about a run, one labelled line each. */
    static List<String> details(Run run) {
        List<String> lines = new ArrayList<>();
        var spec = run.getSpec();
        lines.add(label("run") + run.getRunId());
        lines.add(label("state") + state(run.getState()) + (run.getStateReason().isBlank() ? "" : ": " + run.getStateReason()));
        lines.add(label("command") + spec.getCommand() + (spec.hasPlanRunId() ? "  (applies plan run " + spec.getPlanRunId() + ")" : ""));
        lines.add(label("repo") + spec.getRepo() + "  folder " + spec.getFolder() + "  environment " + spec.getEnvironment());
        lines.add(label("commit") + spec.getCommitSha() + "  (" + spec.getRef() + ")");
        lines.add(label("requester") + run.getRequester() + (run.getBreakGlass() ? "  BREAK-GLASS" : ""));
        List<String> decision = decision(run.getDecision());
        lines.add(label("decision") + decision.get(0));
        decision.subList(1, decision.size()).forEach(reason -> lines.add(label("") + reason.strip()));
        if (run.getRequiredApprovals() > 0 || run.getApprovalsCount() > 0) {
            lines.add(label("approvals") + run.getApprovalsCount() + " of " + run.getRequiredApprovals()
                    + (run.hasApprovalDeadline() ? ", accepted until " + instant(run.getApprovalDeadline()) : ""));
            for (Approval approval : run.getApprovalsList()) {
                lines.add(label("") + approval.getApprover() + " at " + instant(approval.getApprovedAt())
                        + (approval.getPlanDigest().isEmpty() ? "" : " for plan " + approval.getPlanDigest())
                        + (approval.getComment().isEmpty() ? "" : ": " + approval.getComment()));
            }
        }
        if (run.hasPlanArtifact()) {
            lines.add(label("plan digest") + run.getPlanArtifact().getSha256() + "  (" + run.getPlanArtifact().getSizeBytes()
                    + " bytes)");
        }
        List<String> summary = planSummary(run);
        if (!summary.isEmpty()) {
            lines.add(label("plan summary") + summary.get(0));
            summary.subList(1, summary.size()).forEach(line -> lines.add(label("") + line));
        }
        if (run.hasExitCode()) {
            lines.add(label("exit code") + run.getExitCode());
        }
        if (run.getState() == RunState.RUN_STATE_QUEUED) {
            lines.add(label("queue") + run.getQueuePosition() + " run(s) ahead");
        }
        lines.add(label("trace") + run.getTraceId());
        lines.add(label("created") + instant(run.getCreatedAt()));
        lines.add(label("updated") + instant(run.getUpdatedAt()));
        return lines;
    }

    /** What an approver is told when a plan has no summary. */
    static final String NO_SUMMARY = "no summary: the plan command declares no `summary:`";

    /**
     * The plan summary's text, one entry a line ("Plan: 2 to create, …" first; a plan without
     * changes says so itself); {@link #NO_SUMMARY} for an apply or a plan that produced a plan
     * without one; nothing for other runs.
     */
    static List<String> planSummary(Run run) {
        if (run.hasPlanSummary()) {
            List<String> lines = run.getPlanSummary().getText().lines().filter(line -> !line.isBlank()).toList();
            return lines.isEmpty() ? List.of(run.getPlanSummary().getHasChanges() ? "(the summary has no text)" : "No changes.")
                    : lines;
        }
        return run.getSpec().hasPlanRunId() || run.hasPlanArtifact() ? List.of(NO_SUMMARY) : List.of();
    }

    static String instant(Timestamp time) {
        return Instant.ofEpochSecond(time.getSeconds(), time.getNanos()).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String label(String name) {
        return String.format("%-13s ", name);
    }

    private static String shortened(String text, int length) {
        return text.length() <= length ? text : text.substring(0, length);
    }
}
