package dev.portcullis.executor.api;

import dev.portcullis.executor.plan.ChangeCounts;
import dev.portcullis.executor.plan.PlanAction;
import dev.portcullis.executor.plan.PlanSummary;
import dev.portcullis.executor.plan.ResourceChange;
import dev.portcullis.executor.task.SummarisedPlan;
import dev.portcullis.v1.PlanChangeCounts;
import dev.portcullis.v1.PlanResourceChange;
import dev.portcullis.v1.PlanTool;

/** Plan summaries and tools between the domain and {@code portcullis.v1}; nothing else. */
final class PlanMessages {
    private PlanMessages() {}

    static dev.portcullis.v1.PlanSummary toProto(SummarisedPlan plan) {
        PlanSummary summary = plan.summary();
        ChangeCounts counts = summary.counts();
        dev.portcullis.v1.PlanSummary.Builder proto = dev.portcullis.v1.PlanSummary.newBuilder()
                .setTool(toProto(plan.tool()))
                .setFormatVersion(summary.formatVersion())
                .setCounts(PlanChangeCounts.newBuilder()
                        .setCreate(counts.create()).setUpdate(counts.update()).setDelete(counts.delete())
                        .setReplace(counts.replace()).setRead(counts.read()).setForget(counts.forget())
                        .setNoOp(counts.noOp()).setImports(counts.imports()).setMoves(counts.moves()))
                .setChangesNotListed(summary.changesNotListed())
                .addAllChangedOutputs(summary.changedOutputs())
                .setOutputsNotListed(summary.outputsNotListed())
                .setDriftNotListed(summary.driftNotListed())
                .setHasChanges(summary.hasChanges())
                .setText(summary.render());
        summary.changes().forEach(change -> proto.addChanges(toProto(change)));
        summary.drift().forEach(change -> proto.addDrift(toProto(change)));
        return proto.build();
    }

    private static PlanResourceChange toProto(ResourceChange change) {
        return PlanResourceChange.newBuilder()
                .setAddress(change.address())
                .setType(change.type())
                .addAllActions(change.actions().stream().map(PlanAction::json).toList())
                .setActionReason(change.actionReason())
                .setImporting(change.importing())
                .setPreviousAddress(change.previousAddress())
                .build();
    }

    static PlanTool toProto(dev.portcullis.executor.plan.PlanTool tool) {
        return switch (tool) {
            case TERRAFORM -> PlanTool.PLAN_TOOL_TERRAFORM;
            case TOFU -> PlanTool.PLAN_TOOL_TOFU;
        };
    }
}
