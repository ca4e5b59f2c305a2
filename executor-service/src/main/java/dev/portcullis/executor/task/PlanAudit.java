package dev.portcullis.executor.task;

import dev.portcullis.executor.plan.ChangeCounts;
import dev.portcullis.executor.plan.PlanSummary;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A plan summary as audit attributes: its counts and whether it has changes, never a resource's
 * address or anything of the plan's values (the summary holds none anyway). Stateless.
 */
final class PlanAudit {
    private PlanAudit() {}

    /** {@code plan_create}, {@code plan_update}, … {@code plan_moves}, {@code plan_drift} and {@code plan_has_changes}. */
    static Map<String, String> attributes(PlanSummary summary) {
        ChangeCounts counts = summary.counts();
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("plan_create", String.valueOf(counts.create()));
        attributes.put("plan_update", String.valueOf(counts.update()));
        attributes.put("plan_replace", String.valueOf(counts.replace()));
        attributes.put("plan_delete", String.valueOf(counts.delete()));
        attributes.put("plan_read", String.valueOf(counts.read()));
        attributes.put("plan_forget", String.valueOf(counts.forget()));
        attributes.put("plan_no_op", String.valueOf(counts.noOp()));
        attributes.put("plan_imports", String.valueOf(counts.imports()));
        attributes.put("plan_moves", String.valueOf(counts.moves()));
        attributes.put("plan_drift", String.valueOf(summary.driftCount()));
        attributes.put("plan_has_changes", String.valueOf(summary.hasChanges()));
        return attributes;
    }
}
