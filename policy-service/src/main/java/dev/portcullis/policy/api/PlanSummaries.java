package dev.portcullis.policy.api;

import dev.portcullis.catalog.condition.PlanInput;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.v1.PlanChangeCounts;
import dev.portcullis.v1.PlanResourceChange;
import dev.portcullis.v1.PlanSummary;
import dev.portcullis.v1.PlanTool;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the plan summary an apply's plan binding carries ({@code plan.proto}) into what plan rules
 * read, within the contract's bounds. A summary is the gateway's copy of what the executor derived;
 * anything outside its shape is refused as a whole, never half-read. Descriptions never repeat a value.
 */
final class PlanSummaries {
    private static final String FIELD = "plan.summary";
    private static final int MAX_ADDRESS = 1024;
    private static final int MAX_TEXT = 64 * 1024;
    private static final Pattern FORMAT_VERSION = Pattern.compile("[0-9]{1,4}\\.[0-9]{1,4}");
    /** Terraform's resource type names: provider prefix, letters, digits and '_'. */
    private static final Pattern TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,127}");
    private static final Pattern OUTPUT = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,127}");
    private static final Pattern REASON = Pattern.compile("[a-z_]{0,64}");
    private static final Set<String> ACTIONS = Set.of("create", "update", "delete", "read", "forget", "no-op");

    private final FieldParser fields;
    private int rejected;

    private PlanSummaries(FieldParser fields) {
        this.fields = fields;
    }

    /** The summary as plan rules see it; empty (with violations recorded in {@code fields}) when malformed. */
    static Optional<PlanInput> parse(FieldParser fields, PlanSummary summary) {
        return new PlanSummaries(fields).parse(summary);
    }

    private Optional<PlanInput> parse(PlanSummary summary) {
        if (summary.getTool() != PlanTool.PLAN_TOOL_TERRAFORM && summary.getTool() != PlanTool.PLAN_TOOL_TOFU) {
            reject(FIELD + ".tool", "must be PLAN_TOOL_TERRAFORM or PLAN_TOOL_TOFU");
        }
        if (!FORMAT_VERSION.matcher(summary.getFormatVersion()).matches()) {
            reject(FIELD + ".format_version", "must be MAJOR.MINOR");
        }
        PlanChangeCounts counts = summary.getCounts();
        long[] values = {counts.getCreate(), counts.getUpdate(), counts.getDelete(), counts.getReplace(), counts.getRead(),
                counts.getForget(), counts.getNoOp(), counts.getImports(), counts.getMoves(), summary.getChangesNotListed(),
                summary.getOutputsNotListed(), summary.getDriftNotListed()};
        for (long value : values) {
            // uint32 arrives as a Java int: above 2^31-1 it is negative, more than any plan holds
            if (value < 0) {
                reject(FIELD, "counts must be at most 2^31-1");
                break;
            }
        }
        List<PlanInput.PlanResource> resources = resources(FIELD + ".changes", summary.getChangesList());
        resources(FIELD + ".drift", summary.getDriftList());
        if (summary.getChangedOutputsCount() > PlanInput.MAX_LISTED) {
            reject(FIELD + ".changed_outputs", "must list at most " + PlanInput.MAX_LISTED + " outputs");
        }
        Set<String> outputs = new HashSet<>();
        for (int i = 0; i < Math.min(summary.getChangedOutputsCount(), PlanInput.MAX_LISTED); i++) {
            String output = summary.getChangedOutputs(i);
            if (!OUTPUT.matcher(output).matches() || !outputs.add(output)) {
                reject(FIELD + ".changed_outputs[" + i + "]", "must be an output name, listed once");
            }
        }
        if (summary.getText().length() > MAX_TEXT) {
            reject(FIELD + ".text", "must be at most " + MAX_TEXT + " characters");
        }
        if (rejected > 0) {
            return Optional.empty();
        }
        long drift = (long) summary.getDriftCount() + summary.getDriftNotListed();
        return Optional.of(new PlanInput(new PlanInput.Counts(counts.getCreate(), counts.getUpdate(), counts.getDelete(),
                counts.getReplace(), counts.getRead(), counts.getImports(), counts.getMoves(), drift),
                summary.getHasChanges(), resources, summary.getChangesNotListed(), summary.getChangedOutputsList(),
                summary.getOutputsNotListed()));
    }

    private List<PlanInput.PlanResource> resources(String field, List<PlanResourceChange> changes) {
        if (changes.size() > PlanInput.MAX_LISTED) {
            reject(field, "must list at most " + PlanInput.MAX_LISTED + " resources");
            return List.of();
        }
        List<PlanInput.PlanResource> resources = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            PlanResourceChange change = changes.get(i);
            String at = field + "[" + i + "]";
            boolean valid = true;
            if (change.getAddress().isEmpty() || change.getAddress().length() > MAX_ADDRESS
                    || change.getAddress().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                reject(at + ".address", "must be 1 to " + MAX_ADDRESS + " characters without control characters");
                valid = false;
            }
            if (!TYPE.matcher(change.getType()).matches()) {
                reject(at + ".type", "must be a resource type name");
                valid = false;
            }
            if (change.getActionsCount() < 1 || change.getActionsCount() > 2
                    || !ACTIONS.containsAll(change.getActionsList())
                    || new HashSet<>(change.getActionsList()).size() != change.getActionsCount()) {
                reject(at + ".actions", "must be one or two of " + new java.util.TreeSet<>(ACTIONS));
                valid = false;
            }
            if (!REASON.matcher(change.getActionReason()).matches()) {
                reject(at + ".action_reason", "must be a Terraform action_reason token");
                valid = false;
            }
            if (change.getPreviousAddress().length() > MAX_ADDRESS
                    || change.getPreviousAddress().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                reject(at + ".previous_address", "must be at most " + MAX_ADDRESS + " characters without control characters");
                valid = false;
            }
            if (valid) {
                resources.add(new PlanInput.PlanResource(change.getAddress(), change.getType(), change.getActionsList()));
            }
        }
        return resources;
    }

    private void reject(String field, String description) {
        fields.reject(field, description);
        rejected++;
    }
}
