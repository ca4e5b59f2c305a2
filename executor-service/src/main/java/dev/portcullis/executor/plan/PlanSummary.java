package dev.portcullis.executor.plan;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a Terraform plan would do, in the terms an approver reads: how many resources it creates,
 * updates, replaces and deletes, which ones and why, which outputs change, and what changed outside
 * Terraform since the last apply. It holds addresses, types, actions, reasons and output names,
 * and by construction no attribute or output value, sensitive or not. Immutable and thread-safe.
 *
 * @param formatVersion the plan JSON's {@code format_version}, e.g. {@code 1.2}
 * @param counts every resource instance in {@code resource_changes}, by kind
 * @param changes the resources an approver must see, in plan order: all but no-ops, plus no-ops
 *     that are imported or moved; at most the reader's listing bound
 * @param changesNotListed how many more such resources the plan holds beyond {@code changes}
 * @param changedOutputs names of the outputs the plan creates, updates or deletes
 * @param outputsNotListed how many more changed outputs there are beyond {@code changedOutputs}
 * @param drift resources Terraform found changed outside Terraform ({@code resource_drift})
 * @param driftNotListed how many more drifted resources there are beyond {@code drift}
 */
public record PlanSummary(String formatVersion, ChangeCounts counts, List<ResourceChange> changes,
        int changesNotListed, List<String> changedOutputs, int outputsNotListed, List<ResourceChange> drift,
        int driftNotListed) {

    private static final Pattern VERSION = Pattern.compile("[0-9]{1,4}\\.[0-9]{1,4}");
    private static final Map<String, String> REASONS = Map.ofEntries(
            Map.entry("replace_because_tainted", "the object is tainted"),
            Map.entry("replace_because_cannot_update", "a changed argument cannot be updated in place"),
            Map.entry("replace_by_request", "replacement was requested"),
            Map.entry("replace_by_triggers", "replace_triggered_by changed"),
            Map.entry("delete_because_no_resource_config", "it is no longer in the configuration"),
            Map.entry("delete_because_wrong_repetition", "count or for_each was added or removed"),
            Map.entry("delete_because_count_index", "its count index is beyond the count"),
            Map.entry("delete_because_each_key", "its for_each key is gone"),
            Map.entry("delete_because_no_module", "its module is no longer in the configuration"),
            Map.entry("delete_because_no_move_target", "it was moved to an address not in the configuration"),
            Map.entry("read_because_config_unknown", "its configuration is known only during apply"),
            Map.entry("read_because_dependency_pending", "a dependency has changes pending"),
            Map.entry("read_because_check_nested", "a check block reads it"));

    public PlanSummary {
        if (!VERSION.matcher(requireNonNull(formatVersion, "formatVersion is null")).matches()) {
            throw new IllegalArgumentException("format version must be MAJOR.MINOR");
        }
        requireNonNull(counts, "counts is null");
        changes = List.copyOf(changes);
        changedOutputs = List.copyOf(changedOutputs);
        drift = List.copyOf(drift);
        changedOutputs.forEach(PlanText::outputName);
        if (changes.stream().anyMatch(change -> !change.isChange())) {
            throw new IllegalArgumentException("changes must not list a plain no-op");
        }
        if (changesNotListed < 0 || outputsNotListed < 0 || driftNotListed < 0) {
            throw new IllegalArgumentException("counts of resources not listed must not be negative");
        }
    }

    /** True when applying the plan would change any resource, import or move one, or change an output. */
    public boolean hasChanges() {
        return counts.anyChange() || !changedOutputs.isEmpty() || outputsNotListed > 0;
    }

    /** How many resources changed outside Terraform, listed or not. */
    public int driftCount() {
        return drift.size() + driftNotListed;
    }

    /**
     * The few lines an approver reads, e.g. {@code Plan: 1 to create, 0 to update, 1 to replace, 1
     * to delete.} and one line per listed resource; each line ends with a newline.
     */
    public String render() {
        StringBuilder text = new StringBuilder();
        if (hasChanges()) {
            text.append("Plan: %d to create, %d to update, %d to replace, %d to delete.\n".formatted(
                    counts.create(), counts.update(), counts.replace(), counts.delete()));
            List<String> also = new ArrayList<>();
            addIfAny(also, counts.imports(), "to import");
            addIfAny(also, counts.moves(), "to move");
            addIfAny(also, counts.read(), "to read");
            addIfAny(also, counts.forget(), "to forget");
            if (!also.isEmpty()) {
                text.append("Also: ").append(String.join(", ", also)).append(".\n");
            }
            appendResources(text, changes, changesNotListed);
            if (!changedOutputs.isEmpty() || outputsNotListed > 0) {
                text.append("Outputs to change: ").append(String.join(", ", changedOutputs));
                if (outputsNotListed > 0) {
                    text.append(changedOutputs.isEmpty() ? "" : ", ").append("and ").append(outputsNotListed)
                            .append(" more");
                }
                text.append('\n');
            }
        } else {
            text.append("No changes. Your infrastructure matches the configuration.\n");
        }
        if (driftCount() > 0) {
            text.append("Changed outside Terraform since the last apply: ").append(driftCount()).append('\n');
            appendResources(text, drift, driftNotListed);
        }
        return text.toString();
    }

    private static void addIfAny(List<String> parts, int count, String what) {
        if (count > 0) {
            parts.add(count + " " + what);
        }
    }

    private static void appendResources(StringBuilder text, List<ResourceChange> resources, int notListed) {
        for (ResourceChange resource : resources) {
            text.append("  - ").append(resource.address()).append(" (").append(describe(resource)).append(")\n");
        }
        if (notListed > 0) {
            text.append("  - … and ").append(notListed).append(" more not listed\n");
        }
    }

    private static String describe(ResourceChange resource) {
        List<String> parts = new ArrayList<>();
        if (resource.importing()) {
            parts.add("import");
        }
        resource.movedFrom().ifPresent(from -> parts.add("move from " + from));
        switch (resource.kind()) {
            case NO_OP -> {
                if (parts.isEmpty()) {
                    parts.add("no-op");
                }
            }
            case REPLACE -> {
                parts.add("replace");
                if (resource.actions().get(1) == PlanAction.DELETE) {
                    parts.add("create before destroy");
                } else if (resource.actions().get(1) == PlanAction.FORGET) {
                    parts.add("old object forgotten, not destroyed");
                }
            }
            default -> parts.add(resource.actions().get(0).json());
        }
        resource.reason().ifPresent(reason -> parts.add("because: " + REASONS.getOrDefault(reason, reason)));
        return String.join(", ", parts);
    }
}
