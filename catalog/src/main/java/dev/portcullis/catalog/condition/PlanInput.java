package dev.portcullis.catalog.condition;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a plan would change, as a {@link PlanCondition} sees it: counts, the listed resources and
 * the changed output names of the plan summary an apply is bound to, already validated at the
 * service boundary. Never a value. Inside the expression: {@code plan.create}, {@code plan.update},
 * {@code plan.delete}, {@code plan.replace}, {@code plan.read}, {@code plan.imports},
 * {@code plan.moves}, {@code plan.drift} (ints), {@code plan.has_changes} (bool),
 * {@code plan.resources} (list of maps with {@code address}, {@code type} and {@code actions}) and
 * {@code plan.outputs} (list of names), and {@code plan.types_by_action} (for every Terraform action,
 * the types of the listed resources that have it: {@code "aws_db_instance" in plan.types_by_action["delete"]}
 * asks in one step what {@code plan.resources.exists(...)} asks resource by resource). Immutable and thread-safe; the CEL view is built once, here,
 * so that every plan rule of a decision reads the same values without building them again.
 */
public final class PlanInput {
    /** Most resources a summary lists; the plan summary contract's bound. */
    public static final int MAX_LISTED = 100;

    private final Counts counts;
    private final boolean hasChanges;
    private final List<PlanResource> resources;
    private final int resourcesNotListed;
    private final List<String> outputs;
    private final int outputsNotListed;
    // CEL's values: ints as Long, lists and maps as immutable Java collections
    private final List<Map<String, Object>> resourceValues;
    private final Map<String, List<String>> typesByAction;

    /** A summary that lists every changed output. */
    public PlanInput(Counts counts, boolean hasChanges, List<PlanResource> resources, int resourcesNotListed,
            List<String> outputs) {
        this(counts, hasChanges, resources, resourcesNotListed, outputs, 0);
    }

    /**
     * @param resourcesNotListed how many changed resources the summary holds beyond {@code resources};
     *     a plan rule that reads {@code plan.resources} cannot decide on a partial list and fails closed
     * @param outputsNotListed how many changed outputs the summary holds beyond {@code outputs}; the same
     *     for a plan rule that reads {@code plan.outputs}
     * @throws IllegalArgumentException for a negative count or more than {@value #MAX_LISTED} resources or outputs
     */
    public PlanInput(Counts counts, boolean hasChanges, List<PlanResource> resources, int resourcesNotListed,
            List<String> outputs, int outputsNotListed) {
        this.counts = requireNonNull(counts, "counts is null");
        this.hasChanges = hasChanges;
        this.resources = List.copyOf(resources);
        this.outputs = List.copyOf(outputs);
        if (resourcesNotListed < 0 || outputsNotListed < 0) {
            throw new IllegalArgumentException("resourcesNotListed and outputsNotListed must not be negative");
        }
        if (this.resources.size() > MAX_LISTED || this.outputs.size() > MAX_LISTED) {
            throw new IllegalArgumentException("a plan summary lists at most " + MAX_LISTED + " resources and outputs");
        }
        this.resourcesNotListed = resourcesNotListed;
        this.outputsNotListed = outputsNotListed;
        List<Map<String, Object>> values = new ArrayList<>(this.resources.size());
        for (PlanResource resource : this.resources) {
            values.add(Map.of("address", resource.address(), "type", resource.type(), "actions", resource.actions()));
        }
        this.resourceValues = List.copyOf(values);
        Map<String, Set<String>> types = new LinkedHashMap<>();
        ACTIONS.forEach(action -> types.put(action, new LinkedHashSet<>()));
        for (PlanResource resource : this.resources) {
            resource.actions().forEach(action -> types.computeIfAbsent(action, a -> new LinkedHashSet<>()).add(resource.type()));
        }
        Map<String, List<String>> byAction = new LinkedHashMap<>();
        types.forEach((action, typeSet) -> byAction.put(action, List.copyOf(typeSet)));
        this.typesByAction = Map.copyOf(byAction);
    }

    /** Terraform's actions: every one is a key of {@code plan.types_by_action}, so a lookup never fails. */
    public static final List<String> ACTIONS = List.of("create", "update", "delete", "read", "forget", "no-op");

    /**
     * Resource instances by kind.
     *
     * @param drift resources changed outside Terraform since the last apply
     */
    public record Counts(long create, long update, long delete, long replace, long read, long imports, long moves,
            long drift) {
        public Counts {
            if (create < 0 || update < 0 || delete < 0 || replace < 0 || read < 0 || imports < 0 || moves < 0 || drift < 0) {
                throw new IllegalArgumentException("plan counts must not be negative");
            }
        }
    }

    /**
     * One resource instance the plan acts on.
     *
     * @param actions Terraform's actions in Terraform's order, e.g. {@code ["delete", "create"]}
     */
    public record PlanResource(String address, String type, List<String> actions) {
        public PlanResource {
            requireNonNull(address, "address is null");
            requireNonNull(type, "type is null");
            actions = List.copyOf(actions);
        }
    }

    public Counts counts() {
        return counts;
    }

    public boolean hasChanges() {
        return hasChanges;
    }

    public List<PlanResource> resources() {
        return resources;
    }

    public int resourcesNotListed() {
        return resourcesNotListed;
    }

    public List<String> outputs() {
        return outputs;
    }

    public int outputsNotListed() {
        return outputsNotListed;
    }

    List<Map<String, Object>> resourceValues() {
        return resourceValues;
    }

    /** For each of {@link #ACTIONS}, the resource types of the listed resources that have it. */
    Map<String, List<String>> typesByAction() {
        return typesByAction;
    }

    @Override
    public String toString() {
        return "PlanInput[" + counts + ", hasChanges=" + hasChanges + ", " + resources.size() + " resources listed, "
                + resourcesNotListed + " not listed, " + outputs.size() + " outputs listed, " + outputsNotListed + " not listed]";
    }
}
