package dev.portcullis.gateway.store.jdbc;

import dev.portcullis.gateway.run.PlanSummary;
import dev.portcullis.gateway.run.PlanTool;
import dev.portcullis.runtime.json.CanonicalJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stores a plan summary as one JSON object of strings (nested lists are JSON text inside), like {@link DecisionCodec}. */
final class PlanSummaryCodec {
    private PlanSummaryCodec() {}

    static String encode(PlanSummary summary) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("tool", summary.tool().name());
        fields.put("format_version", summary.formatVersion());
        PlanSummary.Counts counts = summary.counts();
        fields.put("counts", CanonicalJson.array(List.of(counts.create(), counts.update(), counts.delete(), counts.replace(),
                counts.read(), counts.forget(), counts.noOp(), counts.imports(), counts.moves()).stream()
                .map(String::valueOf).toList()));
        fields.put("changes", changes(summary.changes()));
        fields.put("changes_not_listed", Long.toString(summary.changesNotListed()));
        fields.put("changed_outputs", CanonicalJson.array(summary.changedOutputs()));
        fields.put("outputs_not_listed", Long.toString(summary.outputsNotListed()));
        fields.put("drift", changes(summary.drift()));
        fields.put("drift_not_listed", Long.toString(summary.driftNotListed()));
        fields.put("has_changes", Boolean.toString(summary.hasChanges()));
        fields.put("text", summary.text());
        return CanonicalJson.object(fields);
    }

    static PlanSummary decode(String json) {
        Map<String, String> fields = CanonicalJson.parseObject(json);
        List<Long> counts = CanonicalJson.parseArray(fields.get("counts")).stream().map(Long::parseLong).toList();
        return new PlanSummary(PlanTool.valueOf(fields.get("tool")), fields.get("format_version"),
                new PlanSummary.Counts(counts.get(0), counts.get(1), counts.get(2), counts.get(3), counts.get(4),
                        counts.get(5), counts.get(6), counts.get(7), counts.get(8)),
                changes(fields.get("changes")), Long.parseLong(fields.get("changes_not_listed")),
                CanonicalJson.parseArray(fields.get("changed_outputs")), Long.parseLong(fields.get("outputs_not_listed")),
                changes(fields.get("drift")), Long.parseLong(fields.get("drift_not_listed")),
                Boolean.parseBoolean(fields.get("has_changes")), fields.get("text"));
    }

    private static String changes(List<PlanSummary.ResourceChange> changes) {
        return CanonicalJson.array(changes.stream().map(change -> CanonicalJson.object(Map.of(
                "address", change.address(),
                "type", change.type(),
                "actions", CanonicalJson.array(change.actions()),
                "action_reason", change.actionReason(),
                "importing", Boolean.toString(change.importing()),
                "previous_address", change.previousAddress()))).toList());
    }

    private static List<PlanSummary.ResourceChange> changes(String json) {
        return CanonicalJson.parseArray(json).stream().map(CanonicalJson::parseObject)
                .map(c -> new PlanSummary.ResourceChange(c.get("address"), c.get("type"),
                        CanonicalJson.parseArray(c.get("actions")), c.get("action_reason"),
                        Boolean.parseBoolean(c.get("importing")), c.get("previous_address")))
                .toList();
    }
}
