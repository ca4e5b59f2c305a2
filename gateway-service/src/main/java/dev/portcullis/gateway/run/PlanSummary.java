package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a Terraform or OpenTofu plan would do, as the executor derived it and an approver reads it:
 * counts, addresses, types, actions, reasons and output names, never an attribute or output value.
 * Bounded: at most {@link #MAX_LISTED} changes, outputs and drifted resources, and a text of at
 * most {@link #MAX_TEXT} characters. Immutable.
 *
 * @param tool the tool that produced the plan JSON
 * @param formatVersion the plan JSON's {@code format_version}, "MAJOR.MINOR"
 * @param counts resource instances by kind
 * @param changes the resources an approver must see, in plan order
 * @param changesNotListed how many more changed resources there are beyond {@code changes}
 * @param changedOutputs names of the outputs the plan changes
 * @param outputsNotListed how many more changed outputs there are
 * @param drift resources found changed outside Terraform since the last apply
 * @param driftNotListed how many more drifted resources there are
 * @param hasChanges false means "no changes"
 * @param text the summary as the CLI prints it, each line ending in a newline
 */
public record PlanSummary(PlanTool tool, String formatVersion, Counts counts, List<ResourceChange> changes,
        long changesNotListed, List<String> changedOutputs, long outputsNotListed, List<ResourceChange> drift,
        long driftNotListed, boolean hasChanges, String text) {
    /** The most changes, outputs and drifted resources a summary lists. */
    public static final int MAX_LISTED = 100;
    /** The longest text a summary carries, in characters. */
    public static final int MAX_TEXT = 64 * 1024;
    /** The longest address, type, action, reason or output name, in characters. */
    public static final int MAX_NAME = 1024;

    public PlanSummary {
        requireNonNull(tool, "tool is null");
        requireNonNull(formatVersion, "formatVersion is null");
        requireNonNull(counts, "counts is null");
        changes = List.copyOf(changes);
        changedOutputs = List.copyOf(changedOutputs);
        drift = List.copyOf(drift);
        requireNonNull(text, "text is null");
        if (changes.size() > MAX_LISTED || changedOutputs.size() > MAX_LISTED || drift.size() > MAX_LISTED) {
            throw new IllegalArgumentException("a plan summary lists at most " + MAX_LISTED + " changes, outputs and drifts");
        }
        if (text.length() > MAX_TEXT || formatVersion.length() > MAX_NAME
                || changedOutputs.stream().anyMatch(name -> name.length() > MAX_NAME)) {
            throw new IllegalArgumentException("a plan summary's text or names are too long");
        }
        if (changesNotListed < 0 || outputsNotListed < 0 || driftNotListed < 0) {
            throw new IllegalArgumentException("counts of what is not listed must not be negative");
        }
    }

    /**
     * The counts as audit attributes ({@code plan_create}, {@code plan_update}, {@code plan_delete},
     * {@code plan_replace}, {@code plan_has_changes}): numbers only, never a name or value.
     */
    public Map<String, String> auditAttributes() {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("plan_create", Long.toString(counts.create()));
        attributes.put("plan_update", Long.toString(counts.update()));
        attributes.put("plan_delete", Long.toString(counts.delete()));
        attributes.put("plan_replace", Long.toString(counts.replace()));
        attributes.put("plan_has_changes", Boolean.toString(hasChanges));
        return attributes;
    }

    /** Resource instances by kind; an import or a move counts again under {@code imports} or {@code moves}. */
    public record Counts(long create, long update, long delete, long replace, long read, long forget, long noOp,
            long imports, long moves) {
        public Counts {
            if (create < 0 || update < 0 || delete < 0 || replace < 0 || read < 0 || forget < 0 || noOp < 0 || imports < 0
                    || moves < 0) {
                throw new IllegalArgumentException("plan counts must not be negative");
            }
        }
    }

    /**
     * One resource instance a plan acts on.
     *
     * @param address the instance address
     * @param type the resource type
     * @param actions Terraform's actions, in Terraform's order
     * @param actionReason Terraform's {@code action_reason}; empty when none
     * @param importing true when the plan imports an existing object
     * @param previousAddress the address the object moves from; empty when it does not move
     */
    public record ResourceChange(String address, String type, List<String> actions, String actionReason, boolean importing,
            String previousAddress) {
        public ResourceChange {
            requireNonNull(address, "address is null");
            requireNonNull(type, "type is null");
            actions = List.copyOf(actions);
            requireNonNull(actionReason, "actionReason is null");
            requireNonNull(previousAddress, "previousAddress is null");
            if (address.length() > MAX_NAME || type.length() > MAX_NAME || actionReason.length() > MAX_NAME
                    || previousAddress.length() > MAX_NAME || actions.size() > 8
                    || actions.stream().anyMatch(action -> action.length() > 32)) {
                throw new IllegalArgumentException("a plan resource change's names are too long");
            }
        }
    }
}
