package dev.portcullis.gateway.client;

import dev.portcullis.gateway.run.CommandStep;
import dev.portcullis.gateway.run.PlanSummary;
import dev.portcullis.gateway.run.PlanTool;
import dev.portcullis.v1.PlanChangeCounts;
import dev.portcullis.v1.PlanResourceChange;
import java.util.List;

/**
 * Plan summaries and command steps between {@code portcullis.v1} and the gateway's own values.
 * What comes in is bounded on the way ({@link PlanSummary#MAX_LISTED} entries a list, the rest
 * counted as not listed; names and text cut), so an oversized summary cannot fill the run store.
 */
public final class PlanSummaries {
    private PlanSummaries() {}

    /** The executor's summary as the gateway keeps it, bounded. */
    public static PlanSummary fromProto(dev.portcullis.v1.PlanSummary proto) {
        PlanChangeCounts c = proto.getCounts();
        List<PlanSummary.ResourceChange> changes = changes(proto.getChangesList());
        List<PlanSummary.ResourceChange> drift = changes(proto.getDriftList());
        List<String> outputs = proto.getChangedOutputsList().stream().limit(PlanSummary.MAX_LISTED)
                .map(name -> cut(name, PlanSummary.MAX_NAME)).toList();
        return new PlanSummary(tool(proto.getTool()), cut(proto.getFormatVersion(), PlanSummary.MAX_NAME),
                new PlanSummary.Counts(c.getCreate(), c.getUpdate(), c.getDelete(), c.getReplace(), c.getRead(),
                        c.getForget(), c.getNoOp(), c.getImports(), c.getMoves()),
                changes, proto.getChangesNotListed() + (long) (proto.getChangesCount() - changes.size()),
                outputs, proto.getOutputsNotListed() + (long) (proto.getChangedOutputsCount() - outputs.size()),
                drift, proto.getDriftNotListed() + (long) (proto.getDriftCount() - drift.size()),
                proto.getHasChanges(), cut(proto.getText(), PlanSummary.MAX_TEXT));
    }

    /** The summary as {@code portcullis.v1} carries it. */
    public static dev.portcullis.v1.PlanSummary toProto(PlanSummary summary) {
        PlanSummary.Counts c = summary.counts();
        dev.portcullis.v1.PlanSummary.Builder proto = dev.portcullis.v1.PlanSummary.newBuilder()
                .setTool(toProto(summary.tool()))
                .setFormatVersion(summary.formatVersion())
                .setCounts(PlanChangeCounts.newBuilder().setCreate(uint(c.create())).setUpdate(uint(c.update()))
                        .setDelete(uint(c.delete())).setReplace(uint(c.replace())).setRead(uint(c.read()))
                        .setForget(uint(c.forget())).setNoOp(uint(c.noOp())).setImports(uint(c.imports()))
                        .setMoves(uint(c.moves())))
                .setChangesNotListed(uint(summary.changesNotListed()))
                .addAllChangedOutputs(summary.changedOutputs())
                .setOutputsNotListed(uint(summary.outputsNotListed()))
                .setDriftNotListed(uint(summary.driftNotListed()))
                .setHasChanges(summary.hasChanges())
                .setText(summary.text());
        summary.changes().forEach(change -> proto.addChanges(toProto(change)));
        summary.drift().forEach(change -> proto.addDrift(toProto(change)));
        return proto.build();
    }

    /** A step as {@code portcullis.v1} carries it. */
    public static dev.portcullis.v1.CommandStep toProto(CommandStep step) {
        return dev.portcullis.v1.CommandStep.newBuilder().addAllArgv(step.argv())
                .setDetailedExitcode(step.detailedExitCode()).build();
    }

    public static dev.portcullis.v1.PlanTool toProto(PlanTool tool) {
        return switch (tool) {
            case NONE -> dev.portcullis.v1.PlanTool.PLAN_TOOL_UNSPECIFIED;
            case TERRAFORM -> dev.portcullis.v1.PlanTool.PLAN_TOOL_TERRAFORM;
            case TOFU -> dev.portcullis.v1.PlanTool.PLAN_TOOL_TOFU;
        };
    }

    static PlanTool tool(dev.portcullis.v1.PlanTool tool) {
        return switch (tool) {
            case PLAN_TOOL_TERRAFORM -> PlanTool.TERRAFORM;
            case PLAN_TOOL_TOFU -> PlanTool.TOFU;
            default -> PlanTool.NONE;
        };
    }

    private static List<PlanSummary.ResourceChange> changes(List<PlanResourceChange> changes) {
        return changes.stream().limit(PlanSummary.MAX_LISTED)
                .map(change -> new PlanSummary.ResourceChange(cut(change.getAddress(), PlanSummary.MAX_NAME),
                        cut(change.getType(), PlanSummary.MAX_NAME),
                        change.getActionsList().stream().limit(8).map(action -> cut(action, 32)).toList(),
                        cut(change.getActionReason(), PlanSummary.MAX_NAME), change.getImporting(),
                        cut(change.getPreviousAddress(), PlanSummary.MAX_NAME)))
                .toList();
    }

    private static PlanResourceChange toProto(PlanSummary.ResourceChange change) {
        return PlanResourceChange.newBuilder().setAddress(change.address()).setType(change.type())
                .addAllActions(change.actions()).setActionReason(change.actionReason()).setImporting(change.importing())
                .setPreviousAddress(change.previousAddress()).build();
    }

    private static int uint(long value) {
        return (int) Math.min(value, 0xFFFF_FFFFL);
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }
}
