package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.plan.PlanSummary;
import dev.portcullis.executor.plan.PlanTool;

/**
 * A plan task's summary and the tool whose {@code show -json} it was derived from: what a
 * succeeded plan task reports and stores with its artifact. Holds no value of the plan.
 */
public record SummarisedPlan(PlanTool tool, PlanSummary summary) {
    public SummarisedPlan {
        requireNonNull(tool, "tool is null");
        requireNonNull(summary, "summary is null");
    }
}
